/* SPDX-License-Identifier: MIT */
/*
 * RFC 8785 (JCS) for what the center emits: the VDS-NC signature covers the
 * canonical form of "data". Keys are sorted by UTF-16 code units; numbers are
 * integers only (a float would need the ECMAScript number printer).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "center.h"

/* Compare two UTF-8 keys in UTF-16 code-unit order. */
static size_t utf16_units(const char *s, uint16_t *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	while (*p != 0 && n + 2 <= cap) {
		uint32_t cp;

		if (*p < 0x80) {
			cp = *p++;
		} else if ((*p & 0xE0) == 0xC0 && p[1] != 0) {
			cp = ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
			p += 2;
		} else if ((*p & 0xF0) == 0xE0 && p[1] != 0 && p[2] != 0) {
			cp = ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) |
			     (p[2] & 0x3F);
			p += 3;
		} else if (p[1] != 0 && p[2] != 0 && p[3] != 0) {
			cp = ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
			     ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
			p += 4;
		} else {
			break;
		}
		if (cp >= 0x10000) {
			cp -= 0x10000;
			out[n++] = (uint16_t)(0xD800 + (cp >> 10));
			out[n++] = (uint16_t)(0xDC00 + (cp & 0x3FF));
		} else {
			out[n++] = (uint16_t)cp;
		}
	}
	return n;
}

static int key_cmp(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a;
	const cJSON *y = *(const cJSON *const *)b;
	uint16_t ux[256], uy[256];
	size_t nx = utf16_units(x->string, ux, 256);
	size_t ny = utf16_units(y->string, uy, 256);

	for (size_t i = 0; i < nx && i < ny; i++) {
		if (ux[i] != uy[i]) {
			return ux[i] < uy[i] ? -1 : 1;
		}
	}
	return nx < ny ? -1 : (nx > ny ? 1 : 0);
}

static int put_string(const char *s, struct rc_buf *out)
{
	static const char hex[] = "0123456789abcdef";
	int rc = rc_buf_str(out, "\"");

	for (const unsigned char *p = (const unsigned char *)s; rc == 0 && *p != 0; p++) {
		char esc[7];

		switch (*p) {
		case '"':
			rc = rc_buf_str(out, "\\\"");
			break;
		case '\\':
			rc = rc_buf_str(out, "\\\\");
			break;
		case '\b':
			rc = rc_buf_str(out, "\\b");
			break;
		case '\f':
			rc = rc_buf_str(out, "\\f");
			break;
		case '\n':
			rc = rc_buf_str(out, "\\n");
			break;
		case '\r':
			rc = rc_buf_str(out, "\\r");
			break;
		case '\t':
			rc = rc_buf_str(out, "\\t");
			break;
		default:
			if (*p < 0x20) {
				esc[0] = '\\';
				esc[1] = 'u';
				esc[2] = '0';
				esc[3] = '0';
				esc[4] = hex[*p >> 4];
				esc[5] = hex[*p & 0xF];
				rc = rc_buf_add(out, esc, 6);
			} else {
				rc = rc_buf_add(out, p, 1);
			}
		}
	}
	return rc != 0 ? rc : rc_buf_str(out, "\"");
}

int rc_jcs(const cJSON *v, struct rc_buf *out)
{
	char num[32];
	int rc = 0;

	if (v == NULL) {
		return -1;
	}
	if (cJSON_IsObject(v)) {
		size_t n = (size_t)cJSON_GetArraySize(v);
		const cJSON **m = calloc(n ? n : 1, sizeof(*m));
		const cJSON *it;
		size_t i = 0;

		if (m == NULL) {
			return -1;
		}
		cJSON_ArrayForEach(it, v) {
			m[i++] = it;
		}
		qsort(m, n, sizeof(*m), key_cmp);
		rc = rc_buf_str(out, "{");
		for (i = 0; rc == 0 && i < n; i++) {
			if (i > 0) {
				rc = rc_buf_str(out, ",");
			}
			rc = rc != 0 ? rc : put_string(m[i]->string, out);
			rc = rc != 0 ? rc : rc_buf_str(out, ":");
			rc = rc != 0 ? rc : rc_jcs(m[i], out);
		}
		free(m);
		return rc != 0 ? rc : rc_buf_str(out, "}");
	}
	if (cJSON_IsArray(v)) {
		const cJSON *it;
		bool first = true;

		rc = rc_buf_str(out, "[");
		cJSON_ArrayForEach(it, v) {
			if (rc == 0 && !first) {
				rc = rc_buf_str(out, ",");
			}
			first = false;
			rc = rc != 0 ? rc : rc_jcs(it, out);
		}
		return rc != 0 ? rc : rc_buf_str(out, "]");
	}
	if (cJSON_IsString(v)) {
		return put_string(v->valuestring, out);
	}
	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;

		if (!isfinite(d) || d != floor(d) || fabs(d) > 9007199254740991.0) {
			return -1;
		}
		snprintf(num, sizeof(num), "%" PRId64, (int64_t)d);
		return rc_buf_str(out, num);
	}
	if (cJSON_IsTrue(v)) {
		return rc_buf_str(out, "true");
	}
	if (cJSON_IsFalse(v)) {
		return rc_buf_str(out, "false");
	}
	if (cJSON_IsNull(v)) {
		return rc_buf_str(out, "null");
	}
	return -1;
}
