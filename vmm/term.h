/* SPDX-License-Identifier: MIT */
/* The controlling terminal: raw mode while the guest owns stdin. */
#ifndef VMM_TERM_H
#define VMM_TERM_H

/* If fd is a terminal, save its settings and switch it to raw mode (no echo,
 * no line editing, no signals: Ctrl-C goes to the guest). Returns 1 when raw
 * mode is on, 0 when fd is not a terminal, -errno on failure. Also installs
 * an atexit handler so that every exit() path restores the terminal. */
int term_raw_enter(int fd);

/* Restore the saved settings (idempotent; async-signal-safe). */
void term_restore(void);

#endif
