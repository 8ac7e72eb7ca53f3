/* SPDX-License-Identifier: MIT */
/* The manifest codec (layout in docs/image-format.md). All integers big-endian. */
#include <string.h>

#include "kiosk/err.h"
#include "update/manifest.h"
#include "update/reason.h"

struct rd {
	const uint8_t *p;
	size_t left;
};

static int rd_u8(struct rd *r, uint8_t *v)
{
	if (r->left < 1) {
		return -1;
	}
	*v = r->p[0];
	r->p++;
	r->left--;
	return 0;
}

static int rd_be(struct rd *r, size_t n, uint64_t *v)
{
	uint64_t x = 0;

	if (r->left < n) {
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		x = (x << 8) | r->p[i];
	}
	r->p += n;
	r->left -= n;
	*v = x;
	return 0;
}

static int class_char_ok(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* u8 length (1..cap-1) then that many bytes: printable ASCII, or class chars. */
static int rd_str(struct rd *r, char *dst, size_t cap, int is_class)
{
	uint8_t n;

	if (rd_u8(r, &n) != 0 || n == 0 || n >= cap || r->left < n) {
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		uint8_t c = r->p[i];

		if (is_class ? !class_char_ok(c) : (c < 0x20 || c > 0x7e)) {
			return -1;
		}
	}
	memcpy(dst, r->p, n);
	dst[n] = '\0';
	r->p += n;
	r->left -= n;
	return 0;
}

int update_manifest_parse(struct update_manifest *m, const uint8_t *buf, size_t len,
			  enum update_reason *why)
{
	enum update_reason w = UPDATE_R_FORMAT;
	struct rd r = { buf, len };
	uint64_t v;
	uint8_t n;

	memset(m, 0, sizeof(*m));
	if (buf == NULL || len > UPDATE_MANIFEST_MAX) {
		w = UPDATE_R_TOO_LARGE;
		goto bad;
	}
	if (rd_be(&r, 2, &v) != 0 || v != UPDATE_FORMAT_VERSION) {
		goto bad;
	}
	m->format_version = (uint16_t)v;
	if (rd_str(&r, m->compatible, sizeof(m->compatible), 0) != 0 ||
	    rd_str(&r, m->version, sizeof(m->version), 0) != 0 ||
	    rd_be(&r, 8, &m->counter) != 0 ||
	    rd_str(&r, m->build_id, sizeof(m->build_id), 0) != 0 || rd_u8(&r, &n) != 0) {
		goto bad;
	}
	if (n == 0 || n > UPDATE_PAYLOADS_MAX) {
		w = n == 0 ? UPDATE_R_FORMAT : UPDATE_R_TOO_LARGE;
		goto bad;
	}
	for (unsigned i = 0; i < n; i++) {
		struct update_payload *p = &m->payloads[i];

		if (rd_str(&r, p->slot_class, sizeof(p->slot_class), 1) != 0 ||
		    rd_be(&r, 8, &p->size) != 0 || p->size == 0 || r.left < sizeof(p->sha256)) {
			goto bad;
		}
		if (p->size > UPDATE_PAYLOAD_SIZE_MAX) {
			w = UPDATE_R_TOO_LARGE;
			goto bad;
		}
		memcpy(p->sha256, r.p, sizeof(p->sha256));
		r.p += sizeof(p->sha256);
		r.left -= sizeof(p->sha256);
		/* one payload per class: a second one would overwrite the first */
		for (unsigned j = 0; j < i; j++) {
			if (strcmp(m->payloads[j].slot_class, p->slot_class) == 0) {
				w = UPDATE_R_DUPLICATE;
				goto bad;
			}
		}
	}
	if (r.left != 0) {
		goto bad;
	}
	m->n_payloads = n;
	if (why != NULL) {
		*why = UPDATE_R_NONE;
	}
	return KIOSK_OK;
bad:
	memset(m, 0, sizeof(*m));
	if (why != NULL) {
		*why = w;
	}
	return KIOSK_ERR_UPDATE;
}

struct wr {
	uint8_t *p;
	size_t left;
	size_t used;
};

static int wr_bytes(struct wr *w, const void *src, size_t n)
{
	if (w->left < n) {
		return -1;
	}
	memcpy(w->p + w->used, src, n);
	w->used += n;
	w->left -= n;
	return 0;
}

static int wr_be(struct wr *w, size_t n, uint64_t v)
{
	uint8_t b[8];

	for (size_t i = 0; i < n; i++) {
		b[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	}
	return wr_bytes(w, b, n);
}

static int wr_str(struct wr *w, const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == 0 || n >= cap) {
		return -2;
	}
	return (wr_be(w, 1, n) != 0 || wr_bytes(w, s, n) != 0) ? -1 : 0;
}

int update_manifest_serialize(const struct update_manifest *m, uint8_t *out, size_t cap,
			      size_t *out_len)
{
	struct wr w = { out, cap, 0 };
	int e;

	if (m == NULL || out == NULL || out_len == NULL || m->n_payloads == 0 ||
	    m->n_payloads > UPDATE_PAYLOADS_MAX) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (wr_be(&w, 2, m->format_version) != 0) {
		return KIOSK_ERR_BUFFER_TOO_SMALL;
	}
	e = wr_str(&w, m->compatible, sizeof(m->compatible));
	if (e == 0) {
		e = wr_str(&w, m->version, sizeof(m->version));
	}
	if (e == 0) {
		e = wr_be(&w, 8, m->counter);
	}
	if (e == 0) {
		e = wr_str(&w, m->build_id, sizeof(m->build_id));
	}
	if (e == 0) {
		e = wr_be(&w, 1, m->n_payloads);
	}
	for (unsigned i = 0; e == 0 && i < m->n_payloads; i++) {
		const struct update_payload *p = &m->payloads[i];

		e = wr_str(&w, p->slot_class, sizeof(p->slot_class));
		if (e == 0) {
			e = wr_be(&w, 8, p->size);
		}
		if (e == 0) {
			e = wr_bytes(&w, p->sha256, sizeof(p->sha256));
		}
	}
	if (e == -2) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (e != 0) {
		return KIOSK_ERR_BUFFER_TOO_SMALL;
	}
	*out_len = w.used;
	return KIOSK_OK;
}
