/* SPDX-License-Identifier: MIT */
/* kiosk_render internals: wiped memory shared by qr.c, buf.c and page.c. */
#ifndef KIOSK_RENDER_INTERNAL_H
#define KIOSK_RENDER_INTERNAL_H

#include <stddef.h>

/* Anonymous mapping, MADV_DONTDUMP, mlock'ed when RLIMIT_MEMLOCK allows (best
 * effort: a 35 MB preview surface may exceed it). Zeroed. *alloc gets the
 * mapped size. NULL on failure. */
void *render_wiped_alloc(size_t n, size_t *alloc);

/* Zeroise @alloc bytes, unlock and unmap. NULL-safe. */
void render_wiped_free(void *p, size_t alloc);

struct render_buf;

/* Append @n bytes, growing a non-fixed buffer (map larger, copy, wipe old).
 * 0, KIOSK_ERR_BUFFER_TOO_SMALL (fixed), KIOSK_ERR_NO_MEMORY. */
int render_buf_append(struct render_buf *b, const void *p, size_t n);

#endif /* KIOSK_RENDER_INTERNAL_H */
