/* SPDX-License-Identifier: MIT */
/* Reading kernel and initramfs files. */
#ifndef VMM_IMAGE_H
#define VMM_IMAGE_H

#include <stddef.h>
#include <stdint.h>

struct image {
	uint8_t *data; /* NULL when not loaded */
	size_t len;
};

/* Read the whole regular file at path, refusing it when it is larger than
 * max bytes. Returns 0, or -errno with a one-line reason in err (missing,
 * unreadable, a directory, empty, too big). */
int image_read(const char *path, uint64_t max, struct image *img, char *err, size_t errlen);

/* Free the data (safe on an unloaded image). */
void image_free(struct image *img);

#endif
