/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <mbedtls/platform_util.h>

#include "kiosk/err.h"
#include "kiosk/vault.h"

#define VAULT_ALIGN 16u

static size_t page_round(size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return (n + page - 1) / page * page;
}

/*
 * Map @n bytes that never reach swap (mlock), a core file (MADV_DONTDUMP) or a
 * forked child (MADV_WIPEONFORK, else MADV_DONTFORK). @n is page-rounded.
 */
static void *locked_map(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		return NULL;
	}
	if (mlock(p, n) != 0 || madvise(p, n, MADV_DONTDUMP) != 0) {
		munmap(p, n);
		return NULL;
	}
#ifdef MADV_WIPEONFORK
	if (madvise(p, n, MADV_WIPEONFORK) != 0 && madvise(p, n, MADV_DONTFORK) != 0) {
#else
	if (madvise(p, n, MADV_DONTFORK) != 0) {
#endif
		munlock(p, n);
		munmap(p, n);
		return NULL;
	}
	return p;
}

static void locked_unmap(void *p, size_t n)
{
	mbedtls_platform_zeroize(p, n);
	munlock(p, n);
	munmap(p, n);
}

void kiosk_vault_init(struct kiosk_vault *v)
{
	memset(v, 0, sizeof(*v));
}

int kiosk_vault_setup(struct kiosk_vault *v, size_t size)
{
	size_t n;

	if (v == NULL || v->base != NULL || size == 0) {
		return KIOSK_ERR_INVALID_ARG;
	}
	n = page_round(size);
	v->base = locked_map(n);
	if (v->base == NULL) {
		return KIOSK_ERR_VAULT;
	}
	v->size = n;
	v->used = 0;
	v->high_water = 0;
	return KIOSK_OK;
}

void *kiosk_vault_alloc(struct kiosk_vault *v, size_t n)
{
	size_t start;
	void *p;

	if (v == NULL || v->base == NULL || n == 0) {
		return NULL;
	}
	start = (v->used + VAULT_ALIGN - 1) & ~(size_t)(VAULT_ALIGN - 1);
	if (start > v->size || n > v->size - start) {
		return NULL;
	}
	p = v->base + start;
	/* Wipes keep the arena zero, but a caller may rely on fresh memory. */
	memset(p, 0, n);
	v->used = start + n;
	if (v->used > v->high_water) {
		v->high_water = v->used;
	}
	return p;
}

void kiosk_vault_wipe(struct kiosk_vault *v)
{
	if (v == NULL || v->base == NULL) {
		return;
	}
	/* The whole arena, not just 'used': a buffer may have been written past
	 * a later, smaller allocation's end before the bump pointer moved back. */
	mbedtls_platform_zeroize(v->base, v->size);
	v->used = 0;
	v->high_water = 0;
}

void kiosk_vault_free(struct kiosk_vault *v)
{
	if (v == NULL || v->base == NULL) {
		return;
	}
	locked_unmap(v->base, v->size);
	kiosk_vault_init(v);
}

bool kiosk_vault_is_wiped(const struct kiosk_vault *v)
{
	unsigned char acc = 0;

	if (v == NULL || v->base == NULL) {
		return true;
	}
	for (size_t i = 0; i < v->size; i++) {
		acc |= v->base[i];
	}
	return acc == 0 && v->used == 0;
}

bool kiosk_vault_owns(const struct kiosk_vault *v, const void *p, size_t n)
{
	uintptr_t a = (uintptr_t)p;
	uintptr_t b = (uintptr_t)(v ? v->base : NULL);

	if (v == NULL || v->base == NULL || p == NULL) {
		return false;
	}
	return a >= b && a - b <= v->size && n <= v->size - (a - b);
}

/* Standalone blocks: the caller passes back the size it asked for, and the
 * mapping is that size page-rounded, as in kiosk_secure_alloc(). */
void *kiosk_secure_alloc(size_t n)
{
	if (n == 0) {
		return NULL;
	}
	return locked_map(page_round(n));
}

void kiosk_secure_free(void *p, size_t n)
{
	if (p == NULL) {
		return;
	}
	locked_unmap(p, page_round(n));
}
