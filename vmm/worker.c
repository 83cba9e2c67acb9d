// SPDX-License-Identifier: MIT
#include "vmm/worker.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vmm/log.h"

#define WORKER_STOP_TAG UINT32_MAX

int worker_init(struct worker *w, const char *name)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = WORKER_STOP_TAG};

	memset(w, 0, sizeof(*w));
	w->name = name;
	pthread_mutex_init(&w->lock, NULL);
	for (unsigned i = 0; i < WORKER_MAX_FDS; i++)
		w->fds[i].fd = -1;
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	w->stop_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->epfd < 0 || w->stop_efd < 0 ||
	    epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->stop_efd, &ev) < 0) {
		int e = -errno;
		worker_destroy(w);
		return e;
	}
	return 0;
}

int worker_add_fd(struct worker *w, int fd, uint32_t events, worker_fn *fn, void *opaque)
{
	struct epoll_event ev = {.events = events};
	int ret = -ENOSPC;

	pthread_mutex_lock(&w->lock);
	for (unsigned i = 0; i < WORKER_MAX_FDS; i++) {
		if (w->fds[i].fd >= 0)
			continue;
		w->fds[i] = (struct worker_fd){fd, fn, opaque};
		ev.data.u32 = i;
		ret = epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
		if (ret)
			w->fds[i].fd = -1;
		break;
	}
	pthread_mutex_unlock(&w->lock);
	return ret;
}

static int worker_slot(struct worker *w, int fd)
{
	for (unsigned i = 0; i < WORKER_MAX_FDS; i++)
		if (w->fds[i].fd == fd)
			return (int)i;
	return -ENOENT;
}

int worker_mod_fd(struct worker *w, int fd, uint32_t events)
{
	struct epoll_event ev = {.events = events};
	int i, ret;

	pthread_mutex_lock(&w->lock);
	i = worker_slot(w, fd);
	ret = i;
	if (i >= 0) {
		ev.data.u32 = i;
		ret = epoll_ctl(w->epfd, EPOLL_CTL_MOD, fd, &ev) < 0 ? -errno : 0;
	}
	pthread_mutex_unlock(&w->lock);
	return ret;
}

int worker_del_fd(struct worker *w, int fd)
{
	int i;

	pthread_mutex_lock(&w->lock);
	i = worker_slot(w, fd);
	if (i >= 0) {
		epoll_ctl(w->epfd, EPOLL_CTL_DEL, fd, NULL);
		w->fds[i].fd = -1;
	}
	pthread_mutex_unlock(&w->lock);
	return i < 0 ? i : 0;
}

static void *worker_thread(void *arg)
{
	struct worker *w = arg;
	struct epoll_event evs[16];

	if (w->thread_init && w->thread_init(w)) {
		log_err("%s: worker set-up failed", w->name);
		return NULL;
	}
	for (;;) {
		int n = epoll_wait(w->epfd, evs, 16, -1);

		if (n < 0 && errno != EINTR) {
			log_err("%s: epoll_wait: %s", w->name, strerror(errno));
			return NULL;
		}
		for (int i = 0; i < n; i++) {
			uint32_t tag = evs[i].data.u32;
			struct worker_fd f;

			if (tag == WORKER_STOP_TAG)
				return NULL;
			pthread_mutex_lock(&w->lock);
			f = w->fds[tag % WORKER_MAX_FDS];
			pthread_mutex_unlock(&w->lock);
			if (f.fd >= 0)
				f.fn(f.opaque, evs[i].events);
		}
	}
}

int worker_start(struct worker *w)
{
	int ret = pthread_create(&w->thread, NULL, worker_thread, w);

	if (ret)
		return -ret;
	w->started = true;
	return 0;
}

void worker_destroy(struct worker *w)
{
	uint64_t one = 1;

	if (w->started) {
		if (write(w->stop_efd, &one, sizeof(one)) < 0)
			log_err("%s: cannot stop the worker", w->name);
		pthread_join(w->thread, NULL);
		w->started = false;
	}
	if (w->epfd >= 0)
		close(w->epfd);
	if (w->stop_efd >= 0)
		close(w->stop_efd);
	w->epfd = w->stop_efd = -1;
}
