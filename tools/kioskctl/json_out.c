/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kiosk/io.h"
#include "json_out.h"

static void put(struct json_out *j, const char *s, size_t n)
{
	if (j->overflow || n > j->cap - j->len) {
		j->overflow = true;
		return;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
}

static void put_c(struct json_out *j, char c)
{
	put(j, &c, 1);
}

/* Strings are escaped per RFC 8259; bytes >= 0x80 pass through (the callers
 * hand over validated UTF-8). */
static void put_escaped(struct json_out *j, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	put_c(j, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			put_c(j, '\\');
			put_c(j, (char)c);
		} else if (c < 0x20) {
			char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

			put(j, esc, sizeof(esc));
		} else {
			put_c(j, (char)c);
		}
	}
	put_c(j, '"');
}

static void key(struct json_out *j, const char *k)
{
	if (!j->first) {
		put_c(j, ',');
	}
	j->first = false;
	put_escaped(j, k, strlen(k));
	put_c(j, ':');
}

void json_out_begin(struct json_out *j, char *buf, size_t cap)
{
	j->buf = buf;
	j->cap = cap;
	j->len = 0;
	j->first = true;
	j->overflow = false;
	put_c(j, '{');
}

void json_out_strn(struct json_out *j, const char *k, const char *val, size_t n)
{
	key(j, k);
	put_escaped(j, val, n);
}

void json_out_str(struct json_out *j, const char *k, const char *val)
{
	json_out_strn(j, k, val, strlen(val));
}

void json_out_int(struct json_out *j, const char *k, long val)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%ld", val);

	key(j, k);
	put(j, num, (size_t)n);
}

void json_out_int_or_null(struct json_out *j, const char *k, long val)
{
	if (val < 0) {
		key(j, k);
		put(j, "null", 4);
	} else {
		json_out_int(j, k, val);
	}
}

void json_out_bool(struct json_out *j, const char *k, bool val)
{
	key(j, k);
	if (val) {
		put(j, "true", 4);
	} else {
		put(j, "false", 5);
	}
}

void json_out_hex(struct json_out *j, const char *k, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";

	key(j, k);
	put_c(j, '"');
	for (size_t i = 0; i < n; i++) {
		put_c(j, hex[p[i] >> 4]);
		put_c(j, hex[p[i] & 15]);
	}
	put_c(j, '"');
}

int json_out_end(struct json_out *j)
{
	put_c(j, '}');
	put_c(j, '\n');
	return j->overflow ? -1 : 0;
}

int json_out_write(const struct json_out *j, int fd)
{

	return kiosk_write_all(fd, j->buf, j->len) == 0 ? 0 : -1;
}
