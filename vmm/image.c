// SPDX-License-Identifier: MIT
#include "vmm/image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int image_read(const char *path, uint64_t max, struct image *img, char *err, size_t errlen)
{
	struct stat st;
	size_t done = 0;
	int fd, ret = 0;

	img->data = NULL;
	img->len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return ret;
	}
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot stat %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		snprintf(err, errlen, "%s is not a regular file", path);
		goto out;
	}
	if (st.st_size == 0) {
		ret = -ENOEXEC;
		snprintf(err, errlen, "%s is empty", path);
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		ret = -EFBIG;
		snprintf(err, errlen, "%s (%lld bytes) is too big for the guest memory", path,
			 (long long)st.st_size);
		goto out;
	}
	img->data = malloc(st.st_size);
	if (!img->data) {
		ret = -ENOMEM;
		snprintf(err, errlen, "out of memory reading %s", path);
		goto out;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, img->data + done, st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			snprintf(err, errlen, "cannot read %s: %s", path,
				 n < 0 ? strerror(errno) : "file shrank while reading");
			goto out;
		}
		done += n;
	}
	img->len = done;
out:
	if (ret)
		image_free(img);
	close(fd);
	return ret;
}

void image_free(struct image *img)
{
	free(img->data);
	img->data = NULL;
	img->len = 0;
}
