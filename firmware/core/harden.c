/* SPDX-License-Identifier: MIT */
#include <sys/prctl.h>
#include <sys/resource.h>

#include "kiosk/err.h"
#include "kiosk/harden.h"

int kiosk_harden_process(void)
{
	const struct rlimit none = { 0, 0 };

	/* A core file would carry whatever personal data was in memory. */
	if (setrlimit(RLIMIT_CORE, &none) != 0) {
		return KIOSK_ERR_INTERNAL;
	}
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
		return KIOSK_ERR_INTERNAL;
	}
	return KIOSK_OK;
}
