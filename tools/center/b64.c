/* SPDX-License-Identifier: MIT */
/* base64 in the two alphabets the protocol uses, and the clock. */
#include <string.h>
#include <time.h>

#include <mbedtls/base64.h>

#include "center.h"

int rc_b64_decode(const char *in, uint8_t *out, size_t cap, size_t *out_len)
{
	size_t n = 0;
	size_t len = strlen(in);

	/* mbedTLS tolerates embedded whitespace/newlines; the protocol does not. */
	for (size_t i = 0; i < len; i++) {
		if (in[i] == ' ' || in[i] == '\r' || in[i] == '\n' || in[i] == '\t') {
			return -1;
		}
	}
	if (len == 0 || len % 4 != 0) {
		return -1;
	}
	if (mbedtls_base64_decode(out, cap, &n, (const unsigned char *)in, len) != 0) {
		return -1;
	}
	*out_len = n;
	return 0;
}

int rc_b64url_encode(const uint8_t *in, size_t len, bool pad, char *out, size_t cap)
{
	size_t n = 0;

	if (mbedtls_base64_encode((unsigned char *)out, cap, &n, in, len) != 0) {
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (out[i] == '+') {
			out[i] = '-';
		} else if (out[i] == '/') {
			out[i] = '_';
		}
	}
	if (!pad) {
		while (n > 0 && out[n - 1] == '=') {
			n--;
		}
	}
	out[n] = '\0';
	return 0;
}

int rc_b64url_decode(const char *in, uint8_t *out, size_t cap, size_t *out_len)
{
	char tmp[4096];
	size_t len = strlen(in);
	size_t n = 0;
	int rc;

	if (len == 0 || len + 3 >= sizeof(tmp)) {
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		char ch = in[i];

		if (ch == '-') {
			ch = '+';
		} else if (ch == '_') {
			ch = '/';
		} else if (ch == '+' || ch == '/') {
			return -1;
		}
		tmp[i] = ch;
	}
	while (len % 4 != 0) {
		tmp[len++] = '=';
	}
	tmp[len] = '\0';
	rc = rc_b64_decode(tmp, out, cap, &n);
	if (rc == 0) {
		*out_len = n;
	}
	return rc;
}

int64_t rc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
