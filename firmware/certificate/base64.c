/* SPDX-License-Identifier: MIT */
/* Strict base64 / base64url: one canonical text per byte string. */
#include <string.h>

#include "kiosk/certificate.h"
#include "kiosk/err.h"

enum pad_rule { PAD_FORBIDDEN, PAD_OPTIONAL, PAD_REQUIRED };

static int b64_val(char c, bool url)
{
	if (c >= 'A' && c <= 'Z') {
		return c - 'A';
	}
	if (c >= 'a' && c <= 'z') {
		return c - 'a' + 26;
	}
	if (c >= '0' && c <= '9') {
		return c - '0' + 52;
	}
	if (c == (url ? '-' : '+')) {
		return 62;
	}
	if (c == (url ? '_' : '/')) {
		return 63;
	}
	return -1;
}

static int b64_decode(const char *in, size_t len, bool url, enum pad_rule pad, uint8_t *out,
		      size_t cap, size_t *out_len)
{
	size_t data_len = len;
	size_t npad = 0;
	size_t rem;
	size_t need;
	size_t o = 0;
	uint32_t acc = 0;
	unsigned bits = 0;

	if ((in == NULL && len > 0) || out_len == NULL || (out == NULL && cap > 0)) {
		return KIOSK_ERR_INVALID_ARG;
	}
	*out_len = 0;
	while (data_len > 0 && in[data_len - 1] == '=') {
		data_len--;
		npad++;
	}
	if (npad > 0) {
		if (pad == PAD_FORBIDDEN || npad > 2 || len % 4 != 0) {
			return KIOSK_ERR_CERT_FORMAT;
		}
	}
	rem = data_len % 4;
	if (rem == 1) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	if (npad > 0 && npad != (4 - rem) % 4) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	if (pad == PAD_REQUIRED && rem != 0 && npad == 0) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	need = data_len / 4 * 3 + (rem == 0 ? 0 : rem - 1);
	if (need > cap) {
		return KIOSK_ERR_BUFFER_TOO_SMALL;
	}
	for (size_t i = 0; i < data_len; i++) {
		int v = b64_val(in[i], url);

		if (v < 0) {
			return KIOSK_ERR_CERT_FORMAT;
		}
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1u;
		}
	}
	if (acc != 0) {
		/* Non-canonical: the unused trailing bits must be zero. */
		memset(out, 0, o);
		return KIOSK_ERR_CERT_FORMAT;
	}
	*out_len = o;
	return 0;
}

int cert_b64url_decode(const char *in, size_t len, bool allow_pad, uint8_t *out, size_t cap,
		       size_t *out_len)
{
	return b64_decode(in, len, true, allow_pad ? PAD_OPTIONAL : PAD_FORBIDDEN, out, cap,
			  out_len);
}

int cert_b64_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
	return b64_decode(in, len, false, PAD_REQUIRED, out, cap, out_len);
}

int cert_b64url_encode(const uint8_t *in, size_t len, char *out, size_t cap, size_t *out_len)
{
	static const char alpha[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t need;
	size_t o = 0;
	size_t i;

	if ((in == NULL && len > 0) || out == NULL || out_len == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	*out_len = 0;
	if (len > (SIZE_MAX - 4) / 4 * 3) {
		return KIOSK_ERR_BUFFER_TOO_SMALL;
	}
	need = len / 3 * 4 + (len % 3 == 0 ? 0 : len % 3 + 1);
	if (need >= cap) {
		if (cap > 0) {
			out[0] = '\0';
		}
		return KIOSK_ERR_BUFFER_TOO_SMALL;
	}
	for (i = 0; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		out[o++] = alpha[v >> 18];
		out[o++] = alpha[(v >> 12) & 63];
		out[o++] = alpha[(v >> 6) & 63];
		out[o++] = alpha[v & 63];
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;

		out[o++] = alpha[v >> 18];
		out[o++] = alpha[(v >> 12) & 63];
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;

		out[o++] = alpha[v >> 18];
		out[o++] = alpha[(v >> 12) & 63];
		out[o++] = alpha[(v >> 6) & 63];
	}
	out[o] = '\0';
	*out_len = o;
	return 0;
}
