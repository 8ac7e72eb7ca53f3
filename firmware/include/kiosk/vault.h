/* SPDX-License-Identifier: MIT */
/*
 * The vault: the only place personal data (My Number, basic 4, PIN, raw EF
 * bytes, signatures over them) may live. One mmap'ed arena, mlock'ed so it
 * never reaches swap, MADV_DONTDUMP so it never reaches a core file, and wiped
 * with mbedtls_platform_zeroize when an issuance ends, on every path.
 *
 * Allocation is a bump pointer: an issuance allocates a handful of buffers and
 * releases all of them at once with kiosk_vault_wipe().
 */
#ifndef KIOSK_VAULT_H
#define KIOSK_VAULT_H

#include <stdbool.h>
#include <stddef.h>

#define KIOSK_VAULT_DEFAULT_SIZE (64u * 1024u)

struct kiosk_vault {
	unsigned char *base; /* page-aligned arena, NULL when not set up */
	size_t size;         /* arena size in bytes (a multiple of the page size) */
	size_t used;         /* bump offset */
	size_t high_water;   /* largest 'used' since the last wipe, for tests */
};

/** Zero the struct; cannot fail. */
void kiosk_vault_init(struct kiosk_vault *v);

/**
 * Map and lock an arena of at least @size bytes.
 * @return 0, or KIOSK_ERR_VAULT when the memory cannot be mapped or locked.
 */
int kiosk_vault_setup(struct kiosk_vault *v, size_t size);

/**
 * Take @n zeroed bytes (16-byte aligned) from the arena.
 * @return the buffer, or NULL when the arena is full. Owned by the vault:
 *         valid until the next kiosk_vault_wipe()/kiosk_vault_free().
 */
void *kiosk_vault_alloc(struct kiosk_vault *v, size_t n);

/** Wipe every byte ever handed out and reset the arena. NULL-safe. */
void kiosk_vault_wipe(struct kiosk_vault *v);

/** Wipe, unlock and unmap. NULL-safe and idempotent. */
void kiosk_vault_free(struct kiosk_vault *v);

/** True when every byte of the arena is zero (tests assert this after an issuance). */
bool kiosk_vault_is_wiped(const struct kiosk_vault *v);

/** True when @p lies inside the arena (tests assert buffers come from the vault). */
bool kiosk_vault_owns(const struct kiosk_vault *v, const void *p, size_t n);

/*
 * Standalone locked buffers for code that must hold personal data outside an
 * issuance's vault for a moment (e.g. the PC/SC worker thread's APDU buffers,
 * which may outlive a watchdog timeout). Zeroed on allocation, wiped on free.
 */
void *kiosk_secure_alloc(size_t n);
void kiosk_secure_free(void *p, size_t n);

#endif /* KIOSK_VAULT_H */
