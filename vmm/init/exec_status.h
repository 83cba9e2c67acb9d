/* SPDX-License-Identifier: MIT */
/* How the guest init (build/vmm-init, vmm/init/init.c) hands a status back to
 * the VMM, and the table of the init's own failures. Shared by the init and
 * the VMM; pure arithmetic, no I/O.
 *
 * The handing back is one 4-byte write (outl) of a word v to the
 * isa-debug-exit port EXEC_PORT (0xf4; the init gets the port with
 * ioperm(2)). Today's VMM stops with status ((v << 1) | 1) & 0xff for any
 * write; an --exec run decodes v with exec_status_decode() instead:
 *   EXEC_STATUS_DONE | s   the command ended with shell status s (0-255:
 *                          its exit code, or 128 + the signal that killed it)
 *   EXEC_STATUS_FAIL | f   the init failed at step f (enum exec_fail) before
 *                          the command could run; the VMM prints
 *                          exec_fail_what(f) and exits with exec_fail_exit(f)
 * The magic high halves make a stray write by other guest code read as
 * EXEC_KIND_OTHER rather than as a command status. If the port write does
 * not stop the guest, the init powers off (reboot(RB_POWER_OFF)). */
#ifndef VMM_INIT_EXEC_STATUS_H
#define VMM_INIT_EXEC_STATUS_H

#include <stdint.h>

#define EXEC_PORT	 0xf4
#define EXEC_STATUS_DONE 0x45580000u /* "EX" | shell status (0-255) */
#define EXEC_STATUS_FAIL 0x45460000u /* "EF" | enum exec_fail */
#define EXEC_STATUS_MASK 0xffff0000u

/* The init's failures: X(NAME, code, VMM exit status, what failed). The exit
 * statuses follow `docker run` and env(1): 127 the shell is missing, 126 it
 * cannot be executed, 125 the runner itself failed; the message tells which
 * step. Codes are stable: a new failure takes a new code. */
#define EXEC_FAIL_TABLE(X)                                                                         \
	X(CONF, 1, 125, "reading the configuration /vmm-exec")                                     \
	X(MOUNT_EARLY, 2, 125, "mounting /proc, /sys, /dev, /tmp or /run")                         \
	X(NET, 3, 125, "bringing up the loopback interface or setting the hostname")               \
	X(SHARE, 4, 125, "mounting the virtio-fs share")                                           \
	X(OVERLAY, 5, 125, "mounting the tmpfs upper layer or the overlay")                        \
	X(SWITCH_ROOT, 6, 125,                                                                     \
	  "moving /proc, /sys, /dev, /tmp, /run into the share or switching root")                 \
	X(CWD, 7, 125, "changing to the working directory")                                        \
	X(STDIO, 8, 125, "opening the standard input, output or error device")                     \
	X(FORK, 9, 125, "starting the command process (fork)")                                     \
	X(NO_SHELL, 10, 127, "finding /bin/sh in the share")                                       \
	X(EXEC, 11, 126, "executing /bin/sh")                                                      \
	X(WAIT, 12, 125, "waiting for the command")

enum exec_fail {
#define EXEC_FAIL_ENUM(name, code, exit, what) EXEC_FAIL_##name = code,
	EXEC_FAIL_TABLE(EXEC_FAIL_ENUM)
#undef EXEC_FAIL_ENUM
};

enum exec_kind {
	EXEC_KIND_DONE,	 /* *value: the command's shell status, 0-255 */
	EXEC_KIND_FAIL,	 /* *value: a known enum exec_fail */
	EXEC_KIND_OTHER, /* not an exec status word (or an unknown failure code) */
};

/* The shell status of a wait(2) status: the exit code for a normal exit,
 * 128 + the signal number for a signal (as a POSIX shell's $?). Anything
 * else (a stopped or continued status, which the init does not ask for)
 * gives 255. */
unsigned exec_status_from_wait(int wstatus);

/* The word the init writes for a command that ended with shell status
 * status (only the low 8 bits are used). */
uint32_t exec_status_done(unsigned status);

/* The word the init writes when it fails at step f. */
uint32_t exec_status_fail(enum exec_fail f);

/* Decode a word written to EXEC_PORT; *value is set for DONE and FAIL and
 * left alone for OTHER. */
enum exec_kind exec_status_decode(uint32_t v, unsigned *value);

/* What failed, one phrase without a newline (for "vmm: the guest init
 * failed: PHRASE"); "an unknown step" for a code not in the table. */
const char *exec_fail_what(unsigned f);

/* The VMM's exit status for failure f (125, 126 or 127; 125 for a code not in
 * the table). */
int exec_fail_exit(unsigned f);

#endif
