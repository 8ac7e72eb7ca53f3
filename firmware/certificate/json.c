/* SPDX-License-Identifier: MIT */
/*
 * A small strict JSON parser whose tree lives in a cert_arena (vault memory),
 * and the RFC 8785 (JCS) writer for the subset VDS-NC uses. Written instead
 * of using cJSON so that the parse tree of personal data never touches the
 * heap, numbers keep their text (integer vs float matters to JCS), and
 * duplicate member names are refused.
 */
#include <string.h>

#include "kiosk/err.h"

#include "cert_internal.h"

#define JS_MAX_SAFE_INT 9007199254740991LL /* 2^53 - 1 */

struct cj_parser {
	struct cert_arena *a;
	const uint8_t *p;
	const uint8_t *end;
};

static void skip_ws(struct cj_parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' ||
				   *ps->p == '\r')) {
		ps->p++;
	}
}

/* Length of the valid UTF-8 sequence at @p (1..4), 0 when invalid. */
static size_t utf8_seq(const uint8_t *p, const uint8_t *end, uint32_t *cp)
{
	size_t n;
	uint32_t c;

	if (p >= end) {
		return 0;
	}
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		n = 2;
		c = p[0] & 0x1Fu;
	} else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		n = 3;
		c = p[0] & 0x0Fu;
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		n = 4;
		c = p[0] & 0x07u;
	} else {
		return 0;
	}
	if ((size_t)(end - p) < n) {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0u) != 0x80u) {
			return 0;
		}
		c = (c << 6) | (p[i] & 0x3Fu);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF)) {
		return 0;
	}
	*cp = c;
	return n;
}

static size_t utf8_put(uint8_t *o, uint32_t c)
{
	if (c < 0x80) {
		o[0] = (uint8_t)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (uint8_t)(0xC0 | (c >> 6));
		o[1] = (uint8_t)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (uint8_t)(0xE0 | (c >> 12));
		o[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
		o[2] = (uint8_t)(0x80 | (c & 0x3F));
		return 3;
	}
	o[0] = (uint8_t)(0xF0 | (c >> 18));
	o[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3F));
	o[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
	o[3] = (uint8_t)(0x80 | (c & 0x3F));
	return 4;
}

static int hex4(const uint8_t *p, const uint8_t *end, uint32_t *v)
{
	uint32_t r = 0;

	if (end - p < 4) {
		return -1;
	}
	for (int i = 0; i < 4; i++) {
		uint8_t c = p[i];

		r <<= 4;
		if (c >= '0' && c <= '9') {
			r |= (uint32_t)(c - '0');
		} else if (c >= 'a' && c <= 'f') {
			r |= (uint32_t)(c - 'a' + 10);
		} else if (c >= 'A' && c <= 'F') {
			r |= (uint32_t)(c - 'A' + 10);
		} else {
			return -1;
		}
	}
	*v = r;
	return 0;
}

/* Parse a string at ps->p (which points at '"'); decoded copy into the arena. */
static int parse_string(struct cj_parser *ps, const char **out, size_t *out_len)
{
	const uint8_t *s = ps->p + 1;
	const uint8_t *q;
	uint8_t *buf;
	size_t n = 0;

	/* The decoded form is never longer than the raw form. */
	for (q = s; q < ps->end && *q != '"'; q++) {
		if (*q == '\\') {
			q++;
		}
	}
	if (q >= ps->end) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	buf = cert_arena_alloc(ps->a, (size_t)(q - s) + 1);
	if (buf == NULL) {
		return KIOSK_ERR_CERT_TOO_LARGE;
	}
	q = s;
	while (q < ps->end && *q != '"') {
		uint32_t c;

		if (*q < 0x20) {
			return KIOSK_ERR_CERT_FORMAT;
		}
		if (*q != '\\') {
			size_t k = utf8_seq(q, ps->end, &c);

			if (k == 0) {
				return KIOSK_ERR_CERT_FORMAT;
			}
			memcpy(buf + n, q, k);
			n += k;
			q += k;
			continue;
		}
		q++;
		if (q >= ps->end) {
			return KIOSK_ERR_CERT_FORMAT;
		}
		switch (*q) {
		case '"': c = '"'; break;
		case '\\': c = '\\'; break;
		case '/': c = '/'; break;
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		case 'u':
			if (hex4(q + 1, ps->end, &c) != 0) {
				return KIOSK_ERR_CERT_FORMAT;
			}
			q += 4;
			if (c >= 0xDC00 && c <= 0xDFFF) {
				return KIOSK_ERR_CERT_FORMAT; /* lone low surrogate */
			}
			if (c >= 0xD800 && c <= 0xDBFF) {
				uint32_t lo;

				if (ps->end - q < 7 || q[1] != '\\' || q[2] != 'u' ||
				    hex4(q + 3, ps->end, &lo) != 0 || lo < 0xDC00 || lo > 0xDFFF) {
					return KIOSK_ERR_CERT_FORMAT;
				}
				q += 6;
				c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
			}
			break;
		default:
			return KIOSK_ERR_CERT_FORMAT;
		}
		q++;
		n += utf8_put(buf + n, c);
	}
	buf[n] = '\0';
	ps->p = q + 1;
	*out = (const char *)buf;
	*out_len = n;
	return 0;
}

static int parse_number(struct cj_parser *ps, struct cj_node *n)
{
	const uint8_t *s = ps->p;
	const uint8_t *q = s;
	bool neg = false;
	bool frac = false;
	uint64_t v = 0;
	bool big = false;
	char *txt;

	if (q < ps->end && *q == '-') {
		neg = true;
		q++;
	}
	if (q >= ps->end || *q < '0' || *q > '9') {
		return KIOSK_ERR_CERT_FORMAT;
	}
	if (*q == '0') {
		q++;
	} else {
		while (q < ps->end && *q >= '0' && *q <= '9') {
			if (v > (uint64_t)JS_MAX_SAFE_INT) {
				big = true;
			} else {
				v = v * 10 + (uint64_t)(*q - '0');
			}
			q++;
		}
	}
	if (q < ps->end && *q == '.') {
		frac = true;
		q++;
		if (q >= ps->end || *q < '0' || *q > '9') {
			return KIOSK_ERR_CERT_FORMAT;
		}
		while (q < ps->end && *q >= '0' && *q <= '9') {
			q++;
		}
	}
	if (q < ps->end && (*q == 'e' || *q == 'E')) {
		frac = true;
		q++;
		if (q < ps->end && (*q == '+' || *q == '-')) {
			q++;
		}
		if (q >= ps->end || *q < '0' || *q > '9') {
			return KIOSK_ERR_CERT_FORMAT;
		}
		while (q < ps->end && *q >= '0' && *q <= '9') {
			q++;
		}
	}
	txt = cert_arena_alloc(ps->a, (size_t)(q - s) + 1);
	if (txt == NULL) {
		return KIOSK_ERR_CERT_TOO_LARGE;
	}
	memcpy(txt, s, (size_t)(q - s));
	n->type = CJ_NUMBER;
	n->str = txt;
	n->len = (size_t)(q - s);
	n->is_int = !frac && !big && v <= (uint64_t)JS_MAX_SAFE_INT;
	n->ival = n->is_int ? (neg ? -(int64_t)v : (int64_t)v) : 0;
	ps->p = q;
	return 0;
}

static int parse_value(struct cj_parser *ps, struct cj_node *n, int depth);

static int parse_container(struct cj_parser *ps, struct cj_node *n, int depth)
{
	bool obj = *ps->p == '{';
	uint8_t close = obj ? '}' : ']';
	struct cj_node **tail = &n->child;
	int rc;

	if (depth >= CJ_MAX_DEPTH) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	n->type = obj ? CJ_OBJECT : CJ_ARRAY;
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return 0;
	}
	for (;;) {
		struct cj_node *m = cert_arena_alloc(ps->a, sizeof(*m));

		if (m == NULL) {
			return KIOSK_ERR_CERT_TOO_LARGE;
		}
		if (n->count >= CJ_MAX_MEMBERS) {
			return KIOSK_ERR_CERT_TOO_LARGE;
		}
		skip_ws(ps);
		if (obj) {
			if (ps->p >= ps->end || *ps->p != '"') {
				return KIOSK_ERR_CERT_FORMAT;
			}
			rc = parse_string(ps, &m->key, &m->key_len);
			if (rc != 0) {
				return rc;
			}
			for (const struct cj_node *o = n->child; o != NULL; o = o->next) {
				if (o->key_len == m->key_len &&
				    memcmp(o->key, m->key, m->key_len) == 0) {
					return KIOSK_ERR_CERT_FORMAT; /* duplicate member */
				}
			}
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':') {
				return KIOSK_ERR_CERT_FORMAT;
			}
			ps->p++;
		}
		rc = parse_value(ps, m, depth + 1);
		if (rc != 0) {
			return rc;
		}
		*tail = m;
		tail = &m->next;
		n->count++;
		skip_ws(ps);
		if (ps->p >= ps->end) {
			return KIOSK_ERR_CERT_FORMAT;
		}
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == close) {
			ps->p++;
			return 0;
		}
		return KIOSK_ERR_CERT_FORMAT;
	}
}

static int literal(struct cj_parser *ps, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, lit, n) != 0) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	ps->p += n;
	return 0;
}

static int parse_value(struct cj_parser *ps, struct cj_node *n, int depth)
{
	skip_ws(ps);
	if (ps->p >= ps->end) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	switch (*ps->p) {
	case '{':
	case '[':
		return parse_container(ps, n, depth);
	case '"':
		n->type = CJ_STRING;
		return parse_string(ps, &n->str, &n->len);
	case 't':
		n->type = CJ_TRUE;
		return literal(ps, "true");
	case 'f':
		n->type = CJ_FALSE;
		return literal(ps, "false");
	case 'n':
		n->type = CJ_NULL;
		return literal(ps, "null");
	default:
		return parse_number(ps, n);
	}
}

int cj_parse(struct cert_arena *a, const char *json, size_t len, struct cj_node **root)
{
	struct cj_parser ps = { a, (const uint8_t *)json, (const uint8_t *)json + len };
	struct cj_node *n;
	int rc;

	*root = NULL;
	if (json == NULL) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	n = cert_arena_alloc(a, sizeof(*n));
	if (n == NULL) {
		return KIOSK_ERR_CERT_TOO_LARGE;
	}
	rc = parse_value(&ps, n, 0);
	if (rc != 0) {
		return rc;
	}
	skip_ws(&ps);
	if (ps.p != ps.end) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	*root = n;
	return 0;
}

const struct cj_node *cj_get(const struct cj_node *obj, const char *key)
{
	size_t klen;

	if (obj == NULL || obj->type != CJ_OBJECT) {
		return NULL;
	}
	klen = strlen(key);
	for (const struct cj_node *m = obj->child; m != NULL; m = m->next) {
		if (m->key_len == klen && memcmp(m->key, key, klen) == 0) {
			return m;
		}
	}
	return NULL;
}

const struct cj_node *cj_get_str(const struct cj_node *obj, const char *key)
{
	const struct cj_node *m = cj_get(obj, key);

	return m != NULL && m->type == CJ_STRING ? m : NULL;
}

bool cj_str_eq(const struct cj_node *n, const char *s)
{
	size_t l = strlen(s);

	return n != NULL && n->type == CJ_STRING && n->len == l && memcmp(n->str, s, l) == 0;
}

/* --- UTF-16 order ------------------------------------------------------------- */

struct u16_iter {
	const uint8_t *p;
	const uint8_t *end;
	uint32_t low; /* pending low surrogate, 0 if none */
};

/* Next UTF-16 code unit, or -1 at the end. Input is valid UTF-8 (parser-checked). */
static long u16_next(struct u16_iter *it)
{
	uint32_t c;
	size_t k;

	if (it->low != 0) {
		c = it->low;
		it->low = 0;
		return (long)c;
	}
	if (it->p >= it->end) {
		return -1;
	}
	k = utf8_seq(it->p, it->end, &c);
	if (k == 0) {
		c = *it->p; /* not reached for parser output; keep going deterministically */
		k = 1;
	}
	it->p += k;
	if (c >= 0x10000) {
		c -= 0x10000;
		it->low = 0xDC00 + (c & 0x3FF);
		return (long)(0xD800 + (c >> 10));
	}
	return (long)c;
}

int cert_utf16_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	struct u16_iter x = { (const uint8_t *)a, (const uint8_t *)a + alen, 0 };
	struct u16_iter y = { (const uint8_t *)b, (const uint8_t *)b + blen, 0 };

	for (;;) {
		long u = u16_next(&x);
		long v = u16_next(&y);

		if (u != v) {
			return u < v ? -1 : 1;
		}
		if (u < 0) {
			return 0;
		}
	}
}

/* --- JCS writer ---------------------------------------------------------------- */

struct jcs_out {
	uint8_t *p;
	size_t cap;
	size_t len;
	bool overflow;
};

static void put(struct jcs_out *o, const void *s, size_t n)
{
	if (o->overflow || n > o->cap - o->len) {
		o->overflow = true;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void put_c(struct jcs_out *o, char c)
{
	put(o, &c, 1);
}

static void put_jcs_string(struct jcs_out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	put_c(o, '"');
	for (size_t i = 0; i < n; i++) {
		uint8_t c = (uint8_t)s[i];

		switch (c) {
		case '"': put(o, "\\\"", 2); break;
		case '\\': put(o, "\\\\", 2); break;
		case '\b': put(o, "\\b", 2); break;
		case '\f': put(o, "\\f", 2); break;
		case '\n': put(o, "\\n", 2); break;
		case '\r': put(o, "\\r", 2); break;
		case '\t': put(o, "\\t", 2); break;
		default:
			if (c < 0x20) {
				char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

				put(o, e, sizeof(e));
			} else {
				put_c(o, (char)c);
			}
		}
	}
	put_c(o, '"');
}

static int jcs_value(struct jcs_out *o, const struct cj_node *n, int depth)
{
	char num[24];
	int rc;

	if (depth > CJ_MAX_DEPTH) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	switch (n->type) {
	case CJ_NULL:
		put(o, "null", 4);
		return 0;
	case CJ_TRUE:
		put(o, "true", 4);
		return 0;
	case CJ_FALSE:
		put(o, "false", 5);
		return 0;
	case CJ_STRING:
		put_jcs_string(o, n->str, n->len);
		return 0;
	case CJ_NUMBER: {
		uint64_t v;
		size_t k = sizeof(num);

		if (!n->is_int) {
			return KIOSK_ERR_CERT_FORMAT; /* floats are outside the supported subset */
		}
		v = n->ival < 0 ? (uint64_t)(-n->ival) : (uint64_t)n->ival;
		do {
			num[--k] = (char)('0' + v % 10);
			v /= 10;
		} while (v != 0);
		if (n->ival < 0) {
			num[--k] = '-';
		}
		put(o, num + k, sizeof(num) - k);
		return 0;
	}
	case CJ_ARRAY:
		put_c(o, '[');
		for (const struct cj_node *m = n->child; m != NULL; m = m->next) {
			if (m != n->child) {
				put_c(o, ',');
			}
			rc = jcs_value(o, m, depth + 1);
			if (rc != 0) {
				return rc;
			}
		}
		put_c(o, ']');
		return 0;
	case CJ_OBJECT: {
		/* Members in UTF-16 order without extra memory: each round picks
		 * the smallest key above the previous one (keys are unique). */
		const struct cj_node *prev = NULL;

		put_c(o, '{');
		for (size_t i = 0; i < n->count; i++) {
			const struct cj_node *best = NULL;

			for (const struct cj_node *m = n->child; m != NULL; m = m->next) {
				if (prev != NULL && cert_utf16_cmp(m->key, m->key_len, prev->key,
								   prev->key_len) <= 0) {
					continue;
				}
				if (best == NULL || cert_utf16_cmp(m->key, m->key_len, best->key,
								   best->key_len) < 0) {
					best = m;
				}
			}
			if (best == NULL) {
				return KIOSK_ERR_CERT_FORMAT;
			}
			if (i > 0) {
				put_c(o, ',');
			}
			put_jcs_string(o, best->key, best->key_len);
			put_c(o, ':');
			rc = jcs_value(o, best, depth + 1);
			if (rc != 0) {
				return rc;
			}
			prev = best;
		}
		put_c(o, '}');
		return 0;
	}
	}
	return KIOSK_ERR_CERT_FORMAT;
}

int cj_write_jcs(const struct cj_node *n, uint8_t *out, size_t cap, size_t *out_len)
{
	struct jcs_out o = { out, cap, 0, false };
	int rc;

	*out_len = 0;
	rc = jcs_value(&o, n, 0);
	if (rc != 0) {
		return rc;
	}
	if (o.overflow) {
		return KIOSK_ERR_BUFFER_TOO_SMALL;
	}
	*out_len = o.len;
	return 0;
}
