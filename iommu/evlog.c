// SPDX-License-Identifier: MIT
/* The IOMMU event log: each event is formatted into a line on the caller's
 * stack, then written with one write() under the log's mutex (which also
 * keeps the timestamps in file order). A line never exceeds EVLOG_LINE_MAX;
 * the strings in it are JSON-escaped. */
#include "iommu/evlog.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "iommu/dma.h"
#include "vmm/log.h"

#define EVLOG_LINE_MAX	  1024
#define EVLOG_RESULT_MAX  128 /* bytes of a result string, before escaping */
#define EVLOG_WRITE_TRIES 8   /* EINTR and short writes, then the log is off */

struct evlog {
	pthread_mutex_t lock;
	int fd;
	atomic_bool off; /* a write failed */
	struct timespec start;
};

/* A line being built; a line that would overflow is cut (not written). */
struct line {
	char buf[EVLOG_LINE_MAX];
	size_t len;
	bool overflow;
};

static void put(struct line *ln, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct line *ln, const char *fmt, ...)
{
	size_t room = sizeof(ln->buf) - ln->len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(ln->buf + ln->len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room)
		ln->overflow = true;
	else
		ln->len += (size_t)n;
}

/* s as a JSON string: quotes, backslashes, control characters and bytes
 * above 0x7e escaped (\u00XX: every line is plain ASCII). */
static void put_str(struct line *ln, const char *s)
{
	put(ln, "\"");
	for (size_t i = 0; s[i] && i < EVLOG_RESULT_MAX; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			put(ln, "\\%c", c);
		else if (c < 0x20 || c > 0x7e)
			put(ln, "\\u%04x", c);
		else
			put(ln, "%c", c);
	}
	put(ln, "\"");
}

static const char *perm_str(unsigned perm)
{
	static const char *const names[] = {"none", "r", "w", "rw"};

	return names[perm & (DMA_ACCESS_READ | DMA_ACCESS_WRITE)];
}

int evlog_open(const char *path, struct evlog **out)
{
	struct evlog *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	l->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	if (l->fd < 0) {
		int err = errno;

		free(l);
		return -err;
	}
	pthread_mutex_init(&l->lock, NULL);
	clock_gettime(CLOCK_MONOTONIC, &l->start);
	*out = l;
	return 0;
}

void evlog_close(struct evlog *l)
{
	if (!l)
		return;
	close(l->fd);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

bool evlog_on(struct evlog *l)
{
	return l && !atomic_load_explicit(&l->off, memory_order_relaxed);
}

/* The keys every line starts with; "ts" is filled in by emit(). */
static void head(struct line *ln, const struct evlog_head *h, const char *event)
{
	put(ln, "\"iommu\":\"%s\",\"event\":\"%s\",\"sid\":",
	    h->iommu == EVLOG_INTEL ? "intel" : "virtio", event);
	if (h->sid < 0)
		put(ln, "null");
	else
		put(ln, "\"%02x:%02x.%x\"", (h->sid >> 8) & 0xff, (h->sid >> 3) & 0x1f, h->sid & 7);
	if (h->domain < 0)
		put(ln, ",\"domain\":null");
	else
		put(ln, ",\"domain\":%lld", (long long)h->domain);
	if (h->has_iova)
		put(ln, ",\"iova\":\"0x%llx\"", (unsigned long long)h->iova);
	else
		put(ln, ",\"iova\":null");
	put(ln, ",\"result\":");
	put_str(ln, h->result ? h->result : "ok");
}

static void log_off(struct evlog *l, const char *why)
{
	if (!atomic_exchange(&l->off, true))
		log_warn("--iommu-log: %s; the log is off from now on", why);
}

/* Write "{"ts":...,<body>}\n" as one line. */
static void emit(struct evlog *l, const struct line *body)
{
	struct line ln = {.len = 0};
	struct timespec now;
	int64_t ns;
	uint64_t us;
	size_t done = 0;

	if (body->overflow) {
		log_off(l, "an event does not fit a line");
		return;
	}
	pthread_mutex_lock(&l->lock);
	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (int64_t)(now.tv_sec - l->start.tv_sec) * 1000000000 +
	     (now.tv_nsec - l->start.tv_nsec);
	us = ns > 0 ? (uint64_t)ns / 1000u : 0;
	put(&ln, "{\"ts\":%llu.%06llu,%.*s}\n", (unsigned long long)(us / 1000000u),
	    (unsigned long long)(us % 1000000u), (int)body->len, body->buf);
	for (unsigned i = 0; !ln.overflow && done < ln.len && i < EVLOG_WRITE_TRIES; i++) {
		ssize_t n = write(l->fd, ln.buf + done, ln.len - done);

		if (n > 0)
			done += (size_t)n;
		else if (n < 0 && errno != EINTR)
			break;
	}
	pthread_mutex_unlock(&l->lock);
	if (done < ln.len)
		log_off(l, ln.overflow ? "an event does not fit a line" : "cannot write the file");
}

void evlog_map(struct evlog *l, const struct evlog_head *h, const struct iova_mapping *m)
{
	struct line ln = {.len = 0};

	if (!evlog_on(l))
		return;
	head(&ln, h, "map");
	put(&ln, ",\"size\":\"0x%llx\",\"gpa\":\"0x%llx\",\"perm\":\"%s\"",
	    (unsigned long long)(m->last.a - m->first.a + 1), (unsigned long long)m->gpa.a,
	    perm_str(m->flags));
	emit(l, &ln);
}

void evlog_unmap(struct evlog *l, const struct evlog_head *h, uint64_t size)
{
	struct line ln = {.len = 0};

	if (!evlog_on(l))
		return;
	head(&ln, h, "unmap");
	put(&ln, ",\"size\":\"0x%llx\"", (unsigned long long)size);
	emit(l, &ln);
}

void evlog_inval(struct evlog *l, const struct evlog_head *h, const char *gran, int am)
{
	struct line ln = {.len = 0};

	if (!evlog_on(l))
		return;
	head(&ln, h, "inval");
	put(&ln, ",\"gran\":");
	put_str(&ln, gran);
	if (am < 0)
		put(&ln, ",\"am\":null");
	else
		put(&ln, ",\"am\":%d", am);
	emit(l, &ln);
}

void evlog_fault(struct evlog *l, const struct evlog_head *h, bool write, unsigned reason)
{
	struct line ln = {.len = 0};

	if (!evlog_on(l))
		return;
	head(&ln, h, "fault");
	put(&ln, ",\"access\":\"%s\",\"reason\":%u", write ? "write" : "read", reason);
	emit(l, &ln);
}

void evlog_ir_fault(struct evlog *l, const struct evlog_head *h, int64_t index, unsigned reason)
{
	struct line ln = {.len = 0};

	if (!evlog_on(l))
		return;
	head(&ln, h, "ir_fault");
	if (index < 0)
		put(&ln, ",\"index\":null");
	else
		put(&ln, ",\"index\":%lld", (long long)index);
	put(&ln, ",\"reason\":%u", reason);
	emit(l, &ln);
}

static void put_entry(struct line *ln, const char *key, const struct evlog_entry *e)
{
	if (!e) {
		put(ln, ",\"%s\":null", key);
		return;
	}
	put(ln, ",\"%s\":{\"gpa\":\"0x%llx\",\"perm\":\"%s\",\"size\":\"0x%llx\"}", key,
	    (unsigned long long)e->gpa, perm_str(e->perm), (unsigned long long)e->size);
}

void evlog_missed_inval(struct evlog *l, const struct evlog_head *h,
			const struct evlog_entry *cached, const struct evlog_entry *table)
{
	struct line ln = {.len = 0};

	if (!evlog_on(l))
		return;
	head(&ln, h, "missed_inval");
	put_entry(&ln, "cached", cached);
	put_entry(&ln, "table", table);
	emit(l, &ln);
}
