// SPDX-License-Identifier: MIT
/* Running a built machine: privileges down, vCPUs up, then the main thread's
 * event loop (stdin to the UART, signals, the stop request), then teardown. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "devices/uart.h"
#include "devices/virtio/pci.h"
#include "seccomp/seccomp.h"
#include "vmm/exit_codes.h"
#include "vmm/log.h"
#include "vmm/machine.h"
#include "vmm/term.h"

#define CTRL_A 0x01

enum { EV_STOP, EV_SIGNAL, EV_STDIN, EV_UART_RX };

struct loop {
	struct machine *m;
	int epfd, sigfd;
	bool stdin_on;	   /* stdin is being forwarded */
	bool stdin_paused; /* the UART FIFO is full */
	bool escape;	   /* last terminal byte was Ctrl-A */
};

static int loop_watch(struct loop *l, int op, int fd, uint32_t events, int tag)
{
	struct epoll_event ev = {.events = events, .data.u32 = tag};

	return epoll_ctl(l->epfd, op, fd, &ev) < 0 ? -errno : 0;
}

static void loop_pause_stdin(struct loop *l, bool pause)
{
	if (l->stdin_paused == pause || !l->stdin_on)
		return;
	if (loop_watch(l, EPOLL_CTL_MOD, STDIN_FILENO, pause ? 0 : EPOLLIN, EV_STDIN) == 0)
		l->stdin_paused = pause;
}

/* Forward terminal bytes; Ctrl-A x quits, Ctrl-A Ctrl-A sends one Ctrl-A. */
static void loop_stdin(struct loop *l)
{
	uint8_t in[64], out[64];
	size_t space = uart_rx_space(l->m->uart), n = 0;
	ssize_t got;

	if (!space) {
		loop_pause_stdin(l, true);
		return;
	}
	got = read(STDIN_FILENO, in, MIN(space, sizeof(in)));
	if (got <= 0) {
		if (got < 0 && (errno == EINTR || errno == EAGAIN))
			return;
		loop_watch(l, EPOLL_CTL_DEL, STDIN_FILENO, 0, EV_STDIN);
		l->stdin_on = false; /* EOF: the guest keeps running */
		return;
	}
	for (ssize_t i = 0; i < got; i++) {
		if (l->m->raw_tty && l->escape) {
			l->escape = false;
			if (in[i] == 'x') {
				vm_request_stop(&l->m->vm, VMM_EXIT_SIGNAL,
						"terminated by Ctrl-A x");
				return;
			}
		} else if (l->m->raw_tty && in[i] == CTRL_A) {
			l->escape = true;
			continue;
		}
		out[n++] = in[i];
	}
	uart_receive(l->m->uart, out, n);
}

static const char *signal_name(uint32_t sig)
{
	switch (sig) {
	case SIGINT: return "SIGINT";
	case SIGTERM: return "SIGTERM";
	case SIGHUP: return "SIGHUP";
	}
	return "a signal";
}

static void loop_signal(struct loop *l)
{
	struct signalfd_siginfo si;
	char why[64];

	if (read(l->sigfd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo == SIGUSR2) {
		/* Diagnostics: each virtio device's worker logs its state, and
		 * each vCPU where its guest is running. */
		for (unsigned i = 0; i < l->m->nr_virtio; i++)
			virtio_pci_dump(l->m->virtio[i]);
		for (unsigned i = 0; i < l->m->nr_vcpus_created; i++)
			vcpu_request_dump(&l->m->vcpus[i]);
		machine_vfio_report(l->m);
		return;
	}
	snprintf(why, sizeof(why), "terminated by %s", signal_name(si.ssi_signo));
	vm_request_stop(&l->m->vm, VMM_EXIT_SIGNAL, why);
}

static void loop_run(struct loop *l)
{
	struct epoll_event evs[8];
	uint64_t cnt;

	while (atomic_load(&l->m->vm.stop_status) == -1) {
		int n = epoll_wait(l->epfd, evs, ARRAY_SIZE(evs), -1);

		if (n < 0 && errno != EINTR) {
			vm_request_stop(&l->m->vm, VMM_EXIT_HOST, "epoll_wait failed");
			break;
		}
		for (int i = 0; i < n; i++) {
			switch (evs[i].data.u32) {
			case EV_SIGNAL: loop_signal(l); break;
			case EV_STDIN: loop_stdin(l); break;
			case EV_UART_RX:
				if (read(uart_rx_event_fd(l->m->uart), &cnt, sizeof(cnt)) > 0)
					loop_pause_stdin(l, false);
				break;
			case EV_STOP: break;
			}
		}
	}
}

static int run_vcpu_thread_init(struct vcpu *vcpu)
{
	(void)vcpu;
	if (seccomp_install(SECCOMP_VCPU))
		return -EPERM;
	return 0;
}

static int loop_init(struct loop *l, struct machine *m, const sigset_t *sigs)
{
	int ret;

	*l = (struct loop){.m = m, .epfd = -1, .sigfd = -1};
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	l->sigfd = signalfd(-1, sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	if (l->epfd < 0 || l->sigfd < 0)
		return -errno;
	ret = loop_watch(l, EPOLL_CTL_ADD, m->vm.stop_efd, EPOLLIN, EV_STOP);
	ret = ret ?: loop_watch(l, EPOLL_CTL_ADD, l->sigfd, EPOLLIN, EV_SIGNAL);
	ret = ret ?: loop_watch(l, EPOLL_CTL_ADD, uart_rx_event_fd(m->uart), EPOLLIN, EV_UART_RX);
	if (ret)
		return ret;
	/* stdin is forwarded only when COM1 is on the terminal; a regular file
	 * or /dev/null cannot be polled and is not forwarded. */
	if (m->cfg->serial == SERIAL_TTY &&
	    loop_watch(l, EPOLL_CTL_ADD, STDIN_FILENO, EPOLLIN, EV_STDIN) == 0)
		l->stdin_on = true;
	return 0;
}

static void loop_fini(struct loop *l)
{
	if (l->epfd >= 0)
		close(l->epfd);
	if (l->sigfd >= 0)
		close(l->sigfd);
}

static int run_fail(int status, const char *msg)
{
	fprintf(stderr, "vmm: %s\n", msg);
	return status;
}

static int run_start(struct machine *m)
{
	if (m->cfg->user_set && jail_user(m->cfg->uid, m->cfg->gid))
		return run_fail(VMM_EXIT_HOST, "cannot run as the --user given");
	if (caps_drop_all())
		return run_fail(VMM_EXIT_HOST, "cannot drop capabilities");
	if (m->cfg->seccomp && jail_files())
		return run_fail(VMM_EXIT_HOST, "cannot deny the file system (Landlock)");
	if (machine_start_devices(m))
		return run_fail(VMM_EXIT_HOST, "cannot start a device I/O thread");
	for (unsigned i = 0; i < m->nr_vcpus_created; i++) {
		m->vcpus[i].thread_init = m->cfg->seccomp ? run_vcpu_thread_init : NULL;
		if (vcpu_start(&m->vcpus[i]))
			return run_fail(VMM_EXIT_HOST, "cannot start a vCPU thread");
	}
	if (m->cfg->seccomp && seccomp_install(SECCOMP_MAIN))
		return VMM_EXIT_HOST;
	return 0;
}

int machine_run(struct machine *m)
{
	struct loop l = {.epfd = -1, .sigfd = -1};
	sigset_t sigs;
	int status;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGUSR2);
	/* Blocked here, so every thread created later has them blocked too;
	 * only the event loop's signalfd sees them. */
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (vcpu_signals_init() || loop_init(&l, m, &sigs)) {
		loop_fini(&l);
		return run_fail(VMM_EXIT_HOST, "cannot set up the event loop");
	}
	if (m->cfg->serial == SERIAL_TTY)
		m->raw_tty = term_raw_enter(STDIN_FILENO) > 0;
	status = run_start(m);
	if (status)
		vm_request_stop(&m->vm, status, NULL);
	else
		loop_run(&l);
	for (unsigned i = 0; i < m->nr_vcpus_created; i++)
		vcpu_kick(&m->vcpus[i]);
	for (unsigned i = 0; i < m->nr_vcpus_created; i++)
		vcpu_destroy(&m->vcpus[i]);
	m->nr_vcpus_created = 0;
	term_restore();
	loop_fini(&l);
	status = atomic_load(&m->vm.stop_status);
	if (status != VMM_EXIT_POWEROFF && !(status & 1) && m->vm.stop_reason[0])
		fprintf(stderr, "vmm: %s\n", m->vm.stop_reason);
	else if (m->vm.stop_reason[0])
		log_debug("%s", m->vm.stop_reason);
	return status;
}
