// SPDX-License-Identifier: MIT
/* F10: two vCPUs writing a VFIO function's COMMAND register at once must
 * leave the device's (physical) COMMAND equal to the emulated one.
 *
 * The forward of COMMAND to the device (devices/vfio/pci.c) reads the
 * emulated value, then the device's, then writes the device's. If it runs
 * outside the function's lock, a second write can be applied and forwarded
 * in between, and the first forward then overwrites the device with a stale
 * value. The fake device of tests/fuzz/vfio_fixture.h is a memfd; this
 * program interposes pread() so that the first forward it sees (a 2-byte
 * read of COMMAND) waits, for at most HOOK_WAIT_MS, until the other thread
 * has finished its whole write: the interleaving is forced, not hoped for.
 * A second test hammers COMMAND from two threads, the hook only yielding
 * the CPU inside each forward. A third forces an interleaving of two writes
 * of the MSI capability around VFIO's SET_IRQS. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <time.h>

#include "tests/fuzz/vfio_fixture.h"

#define HOOK_WAIT_MS 200
#define HAMMER_ITERS 2000
#define CMD_FWD                                                                                    \
	(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_PARITY |           \
	 PCI_COMMAND_SERR)

static struct vfx fx;

/* The hook: armed by the test; fired by the first COMMAND read from the
 * device; the other thread says when its write is done. */
static atomic_int hook_armed, hook_fired, hook_yield;
static pthread_mutex_t hook_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hook_cond = PTHREAD_COND_INITIALIZER;
static bool other_done;

static void hook_wait(void)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += HOOK_WAIT_MS * 1000000L;
	until.tv_sec += until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&hook_lock);
	atomic_store(&hook_fired, 1);
	pthread_cond_broadcast(&hook_cond);
	while (!other_done)
		if (pthread_cond_timedwait(&hook_cond, &hook_lock, &until) == ETIMEDOUT)
			break; /* the other thread is blocked (on the lock): go on */
	pthread_mutex_unlock(&hook_lock);
}

/* Interposed for the whole program: the VMM library's region reads of the
 * fake device come here. */
ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
	if (fd == fx.memfd && off == (off_t)(VFX_CFG_OFF + PCI_COMMAND) && n == 2) {
		if (atomic_exchange(&hook_armed, 0))
			hook_wait();
		else if (atomic_load(&hook_yield))
			sched_yield(); /* widen the window for the hammer */
	}
	return syscall(SYS_pread64, fd, buf, n, off);
}

static int setup(void **state)
{
	(void)state;
	atomic_store(&hook_armed, 0);
	atomic_store(&hook_fired, 0);
	atomic_store(&hook_yield, 0);
	other_done = false;
	return vfx_setup(&fx, 0x0002, VFX_DEVCAP);
}

static int teardown(void **state)
{
	(void)state;
	vfx_teardown(&fx);
	return 0;
}

static uint16_t emulated_cmd(void)
{
	return (uint16_t)vfx_cfg_rd(&fx, PCI_COMMAND, 2);
}

static uint16_t physical_cmd(void)
{
	return (uint16_t)vfx_get(&fx, VFX_CFG_OFF + PCI_COMMAND, 2);
}

/* The second vCPU: waits until the first is inside its forward, then
 * writes its own value and says so. */
static void *second_vcpu(void *opaque)
{
	uint16_t v = *(uint16_t *)opaque;

	pthread_mutex_lock(&hook_lock);
	while (!atomic_load(&hook_fired))
		pthread_cond_wait(&hook_cond, &hook_lock);
	pthread_mutex_unlock(&hook_lock);
	vfx_cfg_wr(&fx, PCI_COMMAND, 2, v);
	pthread_mutex_lock(&hook_lock);
	other_done = true;
	pthread_cond_broadcast(&hook_cond);
	pthread_mutex_unlock(&hook_lock);
	return NULL;
}

/* The first vCPU's forward is held between its read of the emulated value
 * and its write to the device while the second vCPU writes COMMAND. */
static void test_forced_interleaving(void **state)
{
	uint16_t second = PCI_COMMAND_MEMORY;
	pthread_t t;

	(void)state;
	vfx_cfg_wr(&fx, PCI_COMMAND, 2, 0);
	assert_int_equal(physical_cmd() & CMD_FWD, 0);
	assert_int_equal(pthread_create(&t, NULL, second_vcpu, &second), 0);
	atomic_store(&hook_armed, 1);
	vfx_cfg_wr(&fx, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	pthread_join(t, NULL);
	assert_true(atomic_load(&hook_fired));
	assert_int_equal(emulated_cmd() & CMD_FWD, physical_cmd() & CMD_FWD);
}

struct hammer {
	uint16_t v;
	bool checker;
	unsigned bad;
};

static pthread_barrier_t hammer_barrier;

/* Each iteration both threads write COMMAND at once; then one of them
 * compares the two sides while the other waits. */
static void *hammer_thread(void *opaque)
{
	struct hammer *h = opaque;

	for (unsigned i = 0; i < HAMMER_ITERS; i++) {
		pthread_barrier_wait(&hammer_barrier);
		vfx_cfg_wr(&fx, PCI_COMMAND, 2, i & 1 ? h->v : 0);
		pthread_barrier_wait(&hammer_barrier);
		if (h->checker)
			h->bad += (emulated_cmd() & CMD_FWD) != (physical_cmd() & CMD_FWD);
	}
	return NULL;
}

/* Two vCPUs hammer COMMAND with different values, each forward yielding
 * the CPU halfway; after every round of two writes the sides agree. */
static void test_hammer(void **state)
{
	struct hammer h[2] = {{PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, true, 0},
			      {PCI_COMMAND_IO | PCI_COMMAND_SERR, false, 0}};
	pthread_t t[2];

	(void)state;
	atomic_store(&hook_yield, 1);
	assert_int_equal(pthread_barrier_init(&hammer_barrier, NULL, 2), 0);
	for (unsigned i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, hammer_thread, &h[i]), 0);
	for (unsigned i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&hammer_barrier);
	assert_int_equal(h[0].bad, 0);
}

/* The same kind of race for MSI (vfio_pci_irq_update): VFIO changes an MSI
 * vector count only from disabled, so going from 1 vector to 2 is a
 * disable, then an enable. The first vCPU asks for 2 vectors; while VFIO
 * is told to disable, the second vCPU turns MSI off. VFIO must end as the
 * emulated capability says: off. */
static atomic_int irq_hook_armed;

static void irq_hook(struct vfx *f, const struct vfio_irq_set *set)
{
	(void)f;
	if (set->index == VFIO_PCI_MSI_IRQ_INDEX && !set->count &&
	    atomic_exchange(&irq_hook_armed, 0))
		hook_wait();
}

static unsigned msi_flags(void)
{
	return fx.vp->pci.msi.cap + PCI_MSI_FLAGS; /* where the VMM put it */
}

/* Waits (at most 2 s: the test then fails on hook_fired rather than
 * hanging) until the first vCPU is inside SET_IRQS, then turns MSI off. */
static void *second_vcpu_msi(void *opaque)
{
	struct timespec until;

	(void)opaque;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 2;
	pthread_mutex_lock(&hook_lock);
	while (!atomic_load(&hook_fired))
		if (pthread_cond_timedwait(&hook_cond, &hook_lock, &until) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&hook_lock);
	vfx_cfg_wr(&fx, msi_flags(), 2, 0);
	pthread_mutex_lock(&hook_lock);
	other_done = true;
	pthread_cond_broadcast(&hook_cond);
	pthread_mutex_unlock(&hook_lock);
	return NULL;
}

static void test_msi_count_interleaving(void **state)
{
	pthread_t t;

	(void)state;
	vfx_cfg_wr(&fx, msi_flags(), 2, PCI_MSI_FLAGS_ENABLE);
	assert_int_equal(fx.dev_msi_count, 1);
	fx.set_irqs_hook = irq_hook;
	assert_int_equal(pthread_create(&t, NULL, second_vcpu_msi, NULL), 0);
	atomic_store(&irq_hook_armed, 1);
	vfx_cfg_wr(&fx, msi_flags(), 2, PCI_MSI_FLAGS_ENABLE | 1 << 4); /* 2 vectors */
	pthread_join(t, NULL);
	fx.set_irqs_hook = NULL;
	assert_true(atomic_load(&hook_fired));
	assert_false(vfx_cfg_rd(&fx, msi_flags(), 2) & PCI_MSI_FLAGS_ENABLE);
	assert_int_equal(fx.dev_msi_count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_forced_interleaving, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hammer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_msi_count_interleaving, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
