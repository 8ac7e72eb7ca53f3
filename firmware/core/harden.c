/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <mbedtls/platform_util.h>

#include "kiosk/err.h"
#include "kiosk/harden.h"

/* glibc: no per-thread cache of freed blocks (they would skip the perturb
 * fill), and every freed block overwritten with this byte. */
#define HEAP_TUNABLES "glibc.malloc.tcache_count=0:glibc.malloc.perturb=165"
#define PERTURB_BYTE 165

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

#if defined(__SANITIZE_ADDRESS__)
#define KIOSK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KIOSK_ASAN 1
#endif
#endif

int kiosk_harden_heap(char **argv)
{
#ifdef KIOSK_ASAN
	/* ASan owns malloc: its free_fill options do the same job (see main). */
	(void)argv;
	return KIOSK_OK;
#else
	const char *cur = getenv("GLIBC_TUNABLES");

	if (cur != NULL && strstr(cur, HEAP_TUNABLES) != NULL) {
		/* Started with the tunables (systemd unit, or our own re-exec). */
		return mallopt(M_PERTURB, PERTURB_BYTE) == 1 ? KIOSK_OK : KIOSK_ERR_INTERNAL;
	}
	if (setenv("GLIBC_TUNABLES", HEAP_TUNABLES, 1) != 0) {
		return KIOSK_ERR_INTERNAL;
	}
	/* Tunables are read once at start-up: start again with them. */
	execv("/proc/self/exe", argv);
	return errno == ENOENT ? KIOSK_ERR_NOT_SUPPORTED : KIOSK_ERR_INTERNAL;
#endif
}

/* Deep enough to cover the card, TLS and render call chains of an issuance. */
#define STACK_SCRUB_BYTES (256u * 1024u)

__attribute__((noinline)) void kiosk_scrub_stack(void)
{
	volatile unsigned char area[STACK_SCRUB_BYTES];

	mbedtls_platform_zeroize((void *)area, sizeof(area));
}
