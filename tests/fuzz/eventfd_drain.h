/* SPDX-License-Identifier: MIT */
/* For the fuzz fixtures that save and restore a model (pci_fixture.h,
 * vfio_fixture.h): empty a set of eventfds, so that the next input starts
 * with no interrupt pending. */
#ifndef TESTS_FUZZ_EVENTFD_DRAIN_H
#define TESTS_FUZZ_EVENTFD_DRAIN_H

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <unistd.h>

/* One poll over the n fds of pfd (events POLLIN), then a read, which zeroes
 * the count, of each that has one. 0, or -1 when poll or a read fails. */
static inline int fuzz_drain_eventfds(struct pollfd *pfd, unsigned n)
{
	while (n && poll(pfd, n, 0) < 0)
		if (errno != EINTR)
			return -1;
	for (unsigned i = 0; i < n; i++) {
		uint64_t cnt;

		if ((pfd[i].revents & POLLIN) && read(pfd[i].fd, &cnt, sizeof(cnt)) != sizeof(cnt))
			return -1;
	}
	return 0;
}

#endif /* TESTS_FUZZ_EVENTFD_DRAIN_H */
