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

/**
 * Make freed heap memory forget what it held, for every library in the
 * process (cairo, pango, libcups, cJSON...), not only our own code: glibc's
 * per-thread cache off and every free()d block overwritten. The settings are
 * glibc tunables read at start-up, so without them in the environment this
 * re-executes the program (@argv) once with them set. Under AddressSanitizer
 * it does nothing (ASan's allocator is configured through its own options).
 * @return 0 (tunables active), or an error when the re-exec failed.
 */
int kiosk_harden_heap(char **argv);

/** Overwrite the unused stack below the caller (personal data left in dead frames). */
void kiosk_scrub_stack(void);

#endif /* KIOSK_HARDEN_H */
