// SPDX-License-Identifier: MIT
/*
 * nvme-bench: L2's block read benchmark for the passthrough bench
 * (scenarios/bench-vfio*.sh, task nvme-perf). L2 has only busybox, so this is
 * a small static program (tests/nested/build.sh builds it with the host's gcc
 * into L2's /bin).
 *
 *   nvme-bench DEVICE rand QD SECONDS   QD threads, each one synchronous
 *                                       O_DIRECT pread() of 4 KiB at a random
 *                                       4 KiB-aligned offset after the other
 *                                       (QD requests in flight), for SECONDS
 *   nvme-bench DEVICE seq SECONDS       one thread, O_DIRECT pread()s of
 *                                       1 MiB from offset 0 on, wrapping at
 *                                       the end of the device, for SECONDS
 *
 * Every byte comes from the device by DMA (O_DIRECT: no page cache). Prints
 * NESTED-L2-BENCH-* lines (l1/lib.sh's l2_value reads them):
 *   rand: QD<n>-IOPS, QD<n>-LAT-US (mean time of one pread), QD<n>-OPS,
 *         QD<n>-ERRORS, QD<n>-S (seconds measured)
 *   seq:  SEQ-MBS (10^6 bytes per second), SEQ-BYTES, SEQ-ERRORS, SEQ-S
 * Exit status: 0, 1 when a read failed or was short, 2 on bad usage or a
 * device that cannot be opened.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RAND_BLOCK 4096u
#define SEQ_BLOCK  (1u << 20)
#define MAX_QD	   256
#define STACK_SIZE (64u << 10)

struct worker {
	pthread_t t;
	unsigned idx;
	uint64_t seed;
	uint64_t ops;
	uint64_t errors;
	uint64_t bytes;
	double busy_s; /* time spent inside pread() */
};

static int fd;
static uint64_t dev_size;
static pthread_barrier_t start;
static atomic_bool stop;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* xorshift64*: a cheap generator, one state per thread. */
static uint64_t next_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

static void *alloc_buf(size_t len)
{
	void *p = NULL;

	if (posix_memalign(&p, 4096, len))
		return NULL;
	memset(p, 0, len);
	return p;
}

static void *rand_worker(void *arg)
{
	struct worker *w = arg;
	uint64_t blocks = dev_size / RAND_BLOCK;
	void *buf = alloc_buf(RAND_BLOCK);

	pthread_barrier_wait(&start);
	if (!buf) {
		w->errors++;
		return NULL;
	}
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		off_t off = (off_t)(next_rand(&w->seed) % blocks) * RAND_BLOCK;
		double t0 = now_s();
		ssize_t n = pread(fd, buf, RAND_BLOCK, off);

		w->busy_s += now_s() - t0;
		if (n == (ssize_t)RAND_BLOCK) {
			w->ops++;
			w->bytes += RAND_BLOCK;
		} else if (w->errors++ == 0) {
			fprintf(stderr, "nvme-bench: thread %u: pread at %lld: %s\n", w->idx,
				(long long)off, n < 0 ? strerror(errno) : "short read");
		}
	}
	free(buf);
	return NULL;
}

static void *seq_worker(void *arg)
{
	struct worker *w = arg;
	uint64_t off = 0;
	void *buf = alloc_buf(SEQ_BLOCK);

	pthread_barrier_wait(&start);
	if (!buf) {
		w->errors++;
		return NULL;
	}
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		size_t len = dev_size - off < SEQ_BLOCK ? (size_t)(dev_size - off) : SEQ_BLOCK;
		double t0 = now_s();
		ssize_t n = pread(fd, buf, len, (off_t)off);

		w->busy_s += now_s() - t0;
		if (n == (ssize_t)len) {
			w->ops++;
			w->bytes += len;
		} else if (w->errors++ == 0) {
			fprintf(stderr, "nvme-bench: pread of %zu at %llu: %s\n", len,
				(unsigned long long)off, n < 0 ? strerror(errno) : "short read");
		}
		off += len;
		if (off >= dev_size)
			off = 0;
	}
	free(buf);
	return NULL;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: nvme-bench DEVICE rand QD SECONDS | nvme-bench DEVICE seq SECONDS\n");
	return 2;
}

/* A positive number from a command-line word, or 0. */
static double number(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	return (*s && !*end && v > 0) ? v : 0;
}

int main(int argc, char **argv)
{
	struct worker *w;
	pthread_attr_t attr;
	unsigned qd, i;
	double secs, t0, t1, busy = 0;
	uint64_t ops = 0, errors = 0, bytes = 0;
	off_t size;
	int seq;

	if (argc < 4)
		return usage();
	seq = !strcmp(argv[2], "seq");
	if (seq && argc == 4) {
		qd = 1;
		secs = number(argv[3]);
	} else if (!strcmp(argv[2], "rand") && argc == 5) {
		qd = (unsigned)number(argv[3]);
		secs = number(argv[4]);
	} else {
		return usage();
	}
	if (qd < 1 || qd > MAX_QD || secs <= 0)
		return usage();
	fd = open(argv[1], O_RDONLY | O_DIRECT);
	if (fd < 0) {
		fprintf(stderr, "nvme-bench: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	/* A block device's size (or a file's, to try the program on the host). */
	size = lseek(fd, 0, SEEK_END);
	dev_size = size > 0 ? (uint64_t)size : 0;
	if (dev_size < SEQ_BLOCK) {
		fprintf(stderr, "nvme-bench: %s: size %llu: unknown or below 1 MiB\n", argv[1],
			(unsigned long long)dev_size);
		return 2;
	}
	w = calloc(qd, sizeof(*w));
	if (!w || pthread_barrier_init(&start, NULL, qd + 1) || pthread_attr_init(&attr) ||
	    pthread_attr_setstacksize(&attr, STACK_SIZE)) {
		fprintf(stderr, "nvme-bench: out of memory\n");
		return 2;
	}
	for (i = 0; i < qd; i++) {
		w[i].idx = i;
		w[i].seed = 0x9e3779b97f4a7c15ull * (i + 1) ^ (uint64_t)getpid();
		if (pthread_create(&w[i].t, &attr, seq ? seq_worker : rand_worker, &w[i])) {
			fprintf(stderr, "nvme-bench: cannot start thread %u\n", i);
			return 2;
		}
	}
	pthread_barrier_wait(&start);
	t0 = now_s();
	{
		struct timespec d = {.tv_sec = (time_t)secs,
				     .tv_nsec = (long)((secs - (double)(time_t)secs) * 1e9)};

		while (nanosleep(&d, &d) && errno == EINTR)
			;
	}
	atomic_store(&stop, true);
	for (i = 0; i < qd; i++) {
		pthread_join(w[i].t, NULL);
		ops += w[i].ops;
		errors += w[i].errors;
		bytes += w[i].bytes;
		busy += w[i].busy_s;
	}
	/* The reads in flight when the time was up are counted, and waited for. */
	t1 = now_s();
	if (seq) {
		printf("NESTED-L2-BENCH-SEQ-MBS %.1f\n", (double)bytes / (t1 - t0) / 1e6);
		printf("NESTED-L2-BENCH-SEQ-BYTES %llu\n", (unsigned long long)bytes);
		printf("NESTED-L2-BENCH-SEQ-ERRORS %llu\n", (unsigned long long)errors);
		printf("NESTED-L2-BENCH-SEQ-S %.2f\n", t1 - t0);
	} else {
		printf("NESTED-L2-BENCH-QD%u-IOPS %.0f\n", qd, (double)ops / (t1 - t0));
		printf("NESTED-L2-BENCH-QD%u-LAT-US %.0f\n", qd,
		       ops ? busy / (double)ops * 1e6 : 0);
		printf("NESTED-L2-BENCH-QD%u-OPS %llu\n", qd, (unsigned long long)ops);
		printf("NESTED-L2-BENCH-QD%u-ERRORS %llu\n", qd, (unsigned long long)errors);
		printf("NESTED-L2-BENCH-QD%u-S %.2f\n", qd, t1 - t0);
	}
	fflush(stdout);
	close(fd);
	return errors ? 1 : 0;
}
