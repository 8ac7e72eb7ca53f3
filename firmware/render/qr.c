/* SPDX-License-Identifier: MIT */
/*
 * QR codes for the certificate (libqrencode's QRinput API, explicit segments).
 * libqrencode picks the smallest version for the segments given (version 0 =
 * automatic); the level policy lives here.
 */
#include <errno.h>
#include <string.h>

#include <mbedtls/platform_util.h>
#include <qrencode.h>

#include "internal.h"
#include "kiosk/err.h"
#include "kiosk/render.h"

static const char shc_prefix[] = "shc:/";
#define SHC_PREFIX_LEN (sizeof(shc_prefix) - 1)

static QRecLevel to_qr_level(enum render_ecc e)
{
	switch (e) {
	case RENDER_ECC_L:
		return QR_ECLEVEL_L;
	case RENDER_ECC_Q:
		return QR_ECLEVEL_Q;
	case RENDER_ECC_H:
		return QR_ECLEVEL_H;
	case RENDER_ECC_M:
	case RENDER_ECC_AUTO:
	default:
		return QR_ECLEVEL_M;
	}
}

void render_qr_free(struct render_qr *qr)
{
	if (qr == NULL) {
		return;
	}
	render_wiped_free(qr->modules, qr->alloc);
	memset(qr, 0, sizeof(*qr));
}

/* Copy libqrencode's matrix into wiped memory, wipe its copy, free it. */
static int take_code(QRcode *code, enum render_ecc ecc, struct render_qr *out)
{
	size_t n = (size_t)code->width * (size_t)code->width;
	int rc = KIOSK_OK;

	out->modules = render_wiped_alloc(n, &out->alloc);
	if (out->modules == NULL) {
		rc = KIOSK_ERR_NO_MEMORY;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		/* bit 0 of each byte: 1 = dark module; the rest is libqrencode's
		 * internal bookkeeping */
		out->modules[i] = code->data[i] & 1u;
	}
	out->version = (unsigned)code->version;
	out->width = (unsigned)code->width;
	out->ecc = ecc;
out:
	mbedtls_platform_zeroize(code->data, n);
	QRcode_free(code);
	return rc;
}

/*
 * Encode the segments at @ecc, smallest version. *code is NULL with
 * KIOSK_ERR_QR_TOO_LARGE when nothing up to version 40 holds the data.
 */
static int encode(const char *a, size_t alen, QRencodeMode amode, const char *b, size_t blen,
		  enum render_ecc ecc, QRcode **code)
{
	QRinput *in;
	int rc = KIOSK_OK;

	*code = NULL;
	in = QRinput_new2(0, to_qr_level(ecc));
	if (in == NULL) {
		return KIOSK_ERR_NO_MEMORY;
	}
	if (QRinput_append(in, amode, (int)alen, (const unsigned char *)a) != 0) {
		rc = errno == ENOMEM ? KIOSK_ERR_NO_MEMORY : KIOSK_ERR_CERT_FORMAT;
		goto out;
	}
	if (b != NULL && QRinput_append(in, QR_MODE_NUM, (int)blen, (const unsigned char *)b) != 0) {
		rc = errno == ENOMEM ? KIOSK_ERR_NO_MEMORY : KIOSK_ERR_CERT_FORMAT;
		goto out;
	}
	errno = 0;
	*code = QRcode_encodeInput(in);
	if (*code == NULL) {
		rc = errno == ERANGE ? KIOSK_ERR_QR_TOO_LARGE :
		     errno == ENOMEM ? KIOSK_ERR_NO_MEMORY : KIOSK_ERR_RENDER;
	}
out:
	QRinput_free(in);
	return rc;
}

static int valid_ecc(enum render_ecc e)
{
	return e >= RENDER_ECC_AUTO && e <= RENDER_ECC_H;
}

/*
 * Try the levels in @order (first that fits <= @max_version wins).
 * @b == NULL: one segment.
 */
static int encode_policy(const char *a, size_t alen, QRencodeMode amode, const char *b,
			 size_t blen, const enum render_ecc *order, size_t n_order,
			 unsigned max_version, struct render_qr *out)
{
	int rc = KIOSK_ERR_QR_TOO_LARGE;

	for (size_t i = 0; i < n_order; i++) {
		QRcode *code;

		rc = encode(a, alen, amode, b, blen, order[i], &code);
		if (rc == KIOSK_ERR_QR_TOO_LARGE) {
			continue;
		}
		if (rc != KIOSK_OK) {
			return rc;
		}
		if ((unsigned)code->version > max_version) {
			mbedtls_platform_zeroize(code->data,
						 (size_t)code->width * (size_t)code->width);
			QRcode_free(code);
			rc = KIOSK_ERR_QR_TOO_LARGE;
			continue;
		}
		return take_code(code, order[i], out);
	}
	return rc;
}

int render_qr_shc(const char *text, size_t len, enum render_ecc force, struct render_qr *out)
{
	static const enum render_ecc autoorder[] = { RENDER_ECC_M, RENDER_ECC_L };
	const char *digits;
	size_t ndig;

	if (out != NULL) {
		memset(out, 0, sizeof(*out));
	}
	if (text == NULL || out == NULL || !valid_ecc(force)) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (len <= SHC_PREFIX_LEN || memcmp(text, shc_prefix, SHC_PREFIX_LEN) != 0) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	digits = text + SHC_PREFIX_LEN;
	ndig = len - SHC_PREFIX_LEN;
	if (ndig % 2 != 0 || ndig > (size_t)CERT_QR_TEXT_MAX) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	for (size_t i = 0; i < ndig; i += 2) {
		if (digits[i] < '0' || digits[i] > '7' || digits[i + 1] < '0' ||
		    digits[i + 1] > '9' || (digits[i] == '7' && digits[i + 1] > '7')) {
			return KIOSK_ERR_CERT_FORMAT;
		}
	}
	if (force != RENDER_ECC_AUTO) {
		return encode_policy(text, SHC_PREFIX_LEN, QR_MODE_8, digits, ndig, &force, 1,
				     RENDER_SHC_MAX_VERSION, out);
	}
	return encode_policy(text, SHC_PREFIX_LEN, QR_MODE_8, digits, ndig, autoorder, 2,
			     RENDER_SHC_MAX_VERSION, out);
}

int render_qr_vdsnc(const char *json, size_t len, enum render_ecc force, struct render_qr *out)
{
	static const enum render_ecc autoorder[] = { RENDER_ECC_M, RENDER_ECC_L };

	if (out != NULL) {
		memset(out, 0, sizeof(*out));
	}
	if (json == NULL || out == NULL || !valid_ecc(force)) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (len == 0 || len > CERT_VDS_MAX) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	if (force != RENDER_ECC_AUTO) {
		return encode_policy(json, len, QR_MODE_8, NULL, 0, &force, 1,
				     RENDER_QR_MAX_VERSION, out);
	}
	return encode_policy(json, len, QR_MODE_8, NULL, 0, autoorder, 2, RENDER_QR_MAX_VERSION,
			     out);
}

unsigned render_qr_dots_per_module(unsigned width, unsigned dpi, unsigned min_mm)
{
	unsigned long long need;
	unsigned long long den;
	unsigned dots;

	if (width == 0 || dpi == 0 || min_mm == 0) {
		return 0;
	}
	/* dots * width / dpi * 25.4 >= min_mm  <=>  dots * width * 254 >= min_mm * dpi * 10 */
	need = (unsigned long long)min_mm * dpi * 10u;
	den = (unsigned long long)width * 254u;
	dots = (unsigned)((need + den - 1) / den);
	return dots == 0 ? 1 : dots;
}
