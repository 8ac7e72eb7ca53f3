/* SPDX-License-Identifier: MIT */
#include <string.h>

#include <mbedtls/platform_util.h>

#include "cert_internal.h"

void cert_arena_init(struct cert_arena *a, void *mem, size_t cap)
{
	a->base = mem;
	a->cap = mem != NULL ? cap : 0;
	a->used = 0;
	a->high = 0;
}

void *cert_arena_alloc(struct cert_arena *a, size_t n)
{
	size_t off = (a->used + 7u) & ~(size_t)7u;
	void *p;

	if (off < a->used || off > a->cap || n > a->cap - off) {
		return NULL;
	}
	p = a->base + off;
	a->used = off + n;
	if (a->used > a->high) {
		a->high = a->used;
	}
	memset(p, 0, n);
	return p;
}

void cert_arena_wipe(struct cert_arena *a)
{
	if (a->base != NULL && a->high > 0) {
		mbedtls_platform_zeroize(a->base, a->high);
	}
	a->used = 0;
	a->high = 0;
}
