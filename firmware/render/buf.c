/* SPDX-License-Identifier: MIT */
/*
 * Wiped memory for rendered output. A growing buffer never realloc()s: it maps
 * a larger block, copies, and wipes the old one, so no copy of a certificate
 * is left behind in freed memory.
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <mbedtls/platform_util.h>

#include "internal.h"
#include "kiosk/err.h"
#include "kiosk/render.h"

void *render_wiped_alloc(size_t n, size_t *alloc)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t pg = page > 0 ? (size_t)page : 4096u;
	size_t sz;
	void *p;

	*alloc = 0;
	if (n == 0 || n > SIZE_MAX - pg) {
		return NULL;
	}
	sz = (n + pg - 1) / pg * pg;
	p = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		return NULL;
	}
	(void)madvise(p, sz, MADV_DONTDUMP);
	/* Best effort: keep it out of swap when the memlock limit allows. */
	(void)mlock(p, sz);
	*alloc = sz;
	return p;
}

void render_wiped_free(void *p, size_t alloc)
{
	if (p == NULL || alloc == 0) {
		return;
	}
	mbedtls_platform_zeroize(p, alloc);
	(void)munlock(p, alloc);
	(void)munmap(p, alloc);
}

void render_buf_init(struct render_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void render_buf_init_fixed(struct render_buf *b, void *mem, size_t cap)
{
	memset(b, 0, sizeof(*b));
	b->data = mem;
	b->cap = mem != NULL ? cap : 0;
	b->fixed = true;
}

void render_buf_free(struct render_buf *b)
{
	if (b == NULL) {
		return;
	}
	if (b->fixed) {
		if (b->data != NULL) {
			mbedtls_platform_zeroize(b->data, b->cap);
		}
		b->len = 0;
		return;
	}
	render_wiped_free(b->data, b->alloc);
	memset(b, 0, sizeof(*b));
}

int render_buf_append(struct render_buf *b, const void *p, size_t n)
{
	if (n == 0) {
		return KIOSK_OK;
	}
	if (n > b->cap - b->len) {
		size_t want;
		size_t alloc;
		uint8_t *nd;

		if (b->fixed) {
			return KIOSK_ERR_BUFFER_TOO_SMALL;
		}
		if (n > SIZE_MAX / 2 - b->len) {
			return KIOSK_ERR_NO_MEMORY;
		}
		want = b->cap < 64u * 1024u ? 64u * 1024u : b->cap;
		while (want < b->len + n) {
			want *= 2;
		}
		nd = render_wiped_alloc(want, &alloc);
		if (nd == NULL) {
			return KIOSK_ERR_NO_MEMORY;
		}
		if (b->len > 0) {
			memcpy(nd, b->data, b->len);
		}
		render_wiped_free(b->data, b->alloc);
		b->data = nd;
		b->alloc = alloc;
		b->cap = alloc;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return KIOSK_OK;
}
