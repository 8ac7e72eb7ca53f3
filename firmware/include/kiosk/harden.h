/* SPDX-License-Identifier: MIT */
#ifndef KIOSK_HARDEN_H
#define KIOSK_HARDEN_H

/**
 * Make sure this process can never leave personal data in a core dump:
 * RLIMIT_CORE = 0 and PR_SET_DUMPABLE = 0 (which also blocks ptrace attach).
 * Call first thing in main().
 * @return 0, or KIOSK_ERR_INTERNAL when either setting is refused.
 */
int kiosk_harden_process(void);

#endif /* KIOSK_HARDEN_H */
