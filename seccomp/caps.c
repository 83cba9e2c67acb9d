// SPDX-License-Identifier: MIT
#include <cap-ng.h>
#include <errno.h>
#include <sys/prctl.h>

#include "seccomp/seccomp.h"
#include "vmm/log.h"

int caps_drop_all(void)
{
	capng_select_t what = CAPNG_SELECT_CAPS;

	capng_get_caps_process();
	/* Dropping the bounding set needs CAP_SETPCAP; an unprivileged VMM has
	 * nothing there to drop that it could use anyway. */
	if (capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP))
		what = CAPNG_SELECT_BOTH;
	capng_clear(what);
	if (capng_apply(what) < 0) {
		log_err("cannot drop capabilities");
		return -EPERM;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	return 0;
}
