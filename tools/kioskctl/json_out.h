/* SPDX-License-Identifier: MIT */
/*
 * A tiny JSON object writer into a caller-supplied buffer (kioskctl puts that
 * buffer in the vault, because --reveal prints personal data and a heap JSON
 * library would leave copies behind). Output is one object on one line.
 */
#ifndef KIOSKCTL_JSON_OUT_H
#define KIOSKCTL_JSON_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_out {
	char *buf;
	size_t cap;
	size_t len;
	bool first;
	bool overflow; /* sticky: something did not fit */
};

void json_out_begin(struct json_out *j, char *buf, size_t cap);
void json_out_str(struct json_out *j, const char *key, const char *val);
void json_out_strn(struct json_out *j, const char *key, const char *val, size_t n);
void json_out_int(struct json_out *j, const char *key, long val);
/** An int, or null when @val < 0 (unknown). */
void json_out_int_or_null(struct json_out *j, const char *key, long val);
void json_out_bool(struct json_out *j, const char *key, bool val);
void json_out_hex(struct json_out *j, const char *key, const uint8_t *p, size_t n);
/** Close the object and add '\n'. @return 0, or -1 when anything overflowed. */
int json_out_end(struct json_out *j);

/**
 * Write the object to @fd with write(2), not stdio, so no copy of revealed
 * data stays in a libc buffer. @return 0, or -1 on a write error.
 */
int json_out_write(const struct json_out *j, int fd);

#endif /* KIOSKCTL_JSON_OUT_H */
