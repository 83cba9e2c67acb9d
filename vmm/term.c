// SPDX-License-Identifier: MIT
#include "vmm/term.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

static struct termios term_saved;
static int term_fd = -1;

void term_restore(void)
{
	if (term_fd >= 0) {
		tcsetattr(term_fd, TCSANOW, &term_saved);
		term_fd = -1;
	}
}

int term_raw_enter(int fd)
{
	static bool registered;
	struct termios t;

	if (!isatty(fd))
		return 0;
	if (tcgetattr(fd, &term_saved) < 0)
		return -errno;
	t = term_saved;
	cfmakeraw(&t);
	t.c_oflag |= OPOST | ONLCR; /* keep "\n" -> "\r\n" for our own messages */
	if (tcsetattr(fd, TCSANOW, &t) < 0)
		return -errno;
	term_fd = fd;
	if (!registered && atexit(term_restore) == 0)
		registered = true;
	return 1;
}
