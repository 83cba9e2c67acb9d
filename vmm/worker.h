/* SPDX-License-Identifier: MIT */
/* Device I/O threads. A worker is one thread running an epoll loop over the
 * fds its device registers (ioeventfds for queue notifications, a TAP fd, a
 * console input fd), so that device I/O happens off the vCPU threads. Each
 * worker installs its own seccomp filter when it starts. */
#ifndef VMM_WORKER_H
#define VMM_WORKER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define WORKER_MAX_FDS 32

typedef void worker_fn(void *opaque, uint32_t events);

struct worker_fd {
	int fd;
	worker_fn *fn;
	void *opaque;
};

struct worker {
	const char *name;
	pthread_t thread;
	bool started;
	int epfd;
	int stop_efd;
	pthread_mutex_t lock;
	struct worker_fd fds[WORKER_MAX_FDS];
	/* Called first on the worker thread (seccomp). Non-zero stops it. */
	int (*thread_init)(struct worker *w);
};

/* Prepare a worker (no thread yet). 0 or -errno. */
int worker_init(struct worker *w, const char *name) __attribute__((warn_unused_result));

/* Call fn(opaque, epoll events) on the worker thread whenever fd is ready
 * for events (EPOLLIN, EPOLLOUT...). May be called before or after start,
 * from any thread. 0, -ENOSPC or -errno. */
int worker_add_fd(struct worker *w, int fd, uint32_t events, worker_fn *fn, void *opaque)
	__attribute__((warn_unused_result));

/* Change the events watched for fd (e.g. stop polling a full TAP). */
int worker_mod_fd(struct worker *w, int fd, uint32_t events);

/* Stop watching fd. 0 or -ENOENT. */
int worker_del_fd(struct worker *w, int fd);

/* Start the thread. 0 or -errno. */
int worker_start(struct worker *w) __attribute__((warn_unused_result));

/* Stop the thread (if started), wait for it, close the worker's own fds.
 * The registered fds belong to their devices and stay open. */
void worker_destroy(struct worker *w);

#endif
