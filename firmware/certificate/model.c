/* SPDX-License-Identifier: MIT */
/* The certificate model: clearing, the center's fields, field copying, dates, ES256. */
#include <string.h>

#include <mbedtls/bignum.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/platform_util.h>

#include "kiosk/certificate.h"
#include "kiosk/err.h"

#include "cert_internal.h"

void cert_clear(struct kiosk_certificate *c)
{
	if (c != NULL) {
		mbedtls_platform_zeroize(c, sizeof(*c));
	}
}

static bool printable_ascii(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);

	if (n == 0 || n > max) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] <= 0x20 || s[i] >= 0x7F) {
			return false;
		}
	}
	return true;
}

int cert_set_issuance(struct kiosk_certificate *c, const char *certificate_id,
		      const char *issued_at, const char *municipality, enum cert_type type)
{
	if (c == NULL || certificate_id == NULL || issued_at == NULL || municipality == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (!printable_ascii(certificate_id, CERT_ID_MAX) ||
	    !printable_ascii(issued_at, CERT_ISSUED_AT_MAX) || strlen(municipality) != 6 ||
	    (type != CERT_TYPE_DOMESTIC && type != CERT_TYPE_OVERSEAS)) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	for (size_t i = 0; i < 6; i++) {
		if (municipality[i] < '0' || municipality[i] > '9') {
			return KIOSK_ERR_CERT_FORMAT;
		}
	}
	strcpy(c->certificate_id, certificate_id);
	strcpy(c->issued_at, issued_at);
	memcpy(c->municipality, municipality, 7);
	c->type = type;
	return 0;
}

int cert_copy_str(char *dst, size_t cap, const struct cj_node *n)
{
	if (n == NULL || n->type != CJ_STRING) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	for (size_t i = 0; i < n->len; i++) {
		unsigned char ch = (unsigned char)n->str[i];

		if (ch < 0x20 || ch == 0x7F) {
			return KIOSK_ERR_CERT_FORMAT;
		}
	}
	if (n->len >= cap) {
		return KIOSK_ERR_CERT_TOO_LARGE;
	}
	memcpy(dst, n->str, n->len);
	dst[n->len] = '\0';
	return 0;
}

int cert_copy_opt(char *dst, size_t cap, const struct cj_node *n)
{
	if (n == NULL) {
		dst[0] = '\0';
		return 0;
	}
	return cert_copy_str(dst, cap, n);
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return false;
		}
	}
	return true;
}

static bool ymd_valid(unsigned y, unsigned m, unsigned d)
{
	static const unsigned char mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned dim;

	if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1) {
		return false;
	}
	dim = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) {
		dim = 29;
	}
	return d <= dim;
}

static unsigned num(const char *s, size_t n)
{
	unsigned v = 0;

	for (size_t i = 0; i < n; i++) {
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	return v;
}

bool cert_date_compact_valid(const char *s)
{
	if (s == NULL || strnlen(s, 9) != 8 || !all_digits(s, 8)) {
		return false;
	}
	return ymd_valid(num(s, 4), num(s + 4, 2), num(s + 6, 2));
}

int cert_date_iso_to_compact(const char *s, size_t len, bool prefix_ok, char out[9])
{
	if (s == NULL || len < 10 || (!prefix_ok && len != 10) || s[4] != '-' || s[7] != '-' ||
	    !all_digits(s, 4) || !all_digits(s + 5, 2) || !all_digits(s + 8, 2)) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	if (len > 10 && s[10] != 'T') {
		return KIOSK_ERR_CERT_FORMAT;
	}
	if (!ymd_valid(num(s, 4), num(s + 5, 2), num(s + 8, 2))) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	memcpy(out, s, 4);
	memcpy(out + 4, s + 5, 2);
	memcpy(out + 6, s + 8, 2);
	out[8] = '\0';
	return 0;
}

int cert_es256_verify(const mbedtls_ecp_group *grp, const mbedtls_ecp_point *q,
		      const uint8_t hash[32], const uint8_t sig[64])
{
	mbedtls_ecp_group g;
	mbedtls_mpi r;
	mbedtls_mpi s;
	int rc;

	mbedtls_ecp_group_init(&g);
	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	if (mbedtls_ecp_group_copy(&g, grp) != 0 || mbedtls_mpi_read_binary(&r, sig, 32) != 0 ||
	    mbedtls_mpi_read_binary(&s, sig + 32, 32) != 0) {
		rc = KIOSK_ERR_CRYPTO;
		goto out;
	}
	/* mbedtls_ecdsa_verify checks 1 <= r, s < n itself. */
	rc = mbedtls_ecdsa_verify(&g, hash, 32, q, &r, &s) == 0 ? 0 : KIOSK_ERR_CERT_SIGNATURE;
out:
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&s);
	mbedtls_ecp_group_free(&g);
	return rc;
}
