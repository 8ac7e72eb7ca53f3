/* SPDX-License-Identifier: MIT */
/*
 * QR rules for the certificate: SHC as two segments (byte "shc:/" + numeric
 * digits) at the smallest version, <= 22, ECC M else L; VDS-NC in byte mode,
 * M else L, <= 40. Minimality is checked against an independent oracle: the
 * segment bit counts of ISO/IEC 18004 and its data-capacity table.
 * Payloads are synthetic (pseudo-random base64url), no personal data.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <qrencode.h>

#include "kiosk/certificate.h"
#include "kiosk/err.h"
#include "kiosk/render.h"

/* ISO/IEC 18004 Table 7: data codewords per version (index 1..40). */
static const unsigned data_cw_l[41] = { 0,
	19, 34, 55, 80, 108, 136, 156, 194, 232, 274, 324, 370, 428, 461, 523, 589, 647, 721,
	795, 861, 932, 1006, 1094, 1174, 1276, 1370, 1468, 1531, 1631, 1735, 1843, 1955, 2071,
	2191, 2306, 2434, 2566, 2702, 2812, 2956 };
static const unsigned data_cw_m[41] = { 0,
	16, 28, 44, 64, 86, 108, 124, 154, 182, 216, 254, 290, 334, 365, 415, 453, 507, 563,
	627, 669, 714, 782, 860, 914, 1000, 1062, 1128, 1193, 1267, 1373, 1455, 1541, 1631,
	1725, 1812, 1914, 1992, 2102, 2216, 2334 };

static unsigned cap_bits(unsigned v, enum render_ecc e)
{
	return 8u * (e == RENDER_ECC_L ? data_cw_l[v] : data_cw_m[v]);
}

static unsigned byte_seg_bits(unsigned v, size_t n)
{
	return 4u + (v <= 9 ? 8u : 16u) + 8u * (unsigned)n;
}

static unsigned num_seg_bits(unsigned v, size_t n)
{
	static const unsigned rem[3] = { 0, 4, 7 };

	return 4u + (v <= 9 ? 10u : v <= 26 ? 12u : 14u) + 10u * (unsigned)(n / 3) + rem[n % 3];
}

/* Smallest version holding byte("shc:/") + numeric(ndig); 0 if none <= 40. */
static unsigned oracle_shc(size_t ndig, enum render_ecc e)
{
	for (unsigned v = 1; v <= 40; v++) {
		if (byte_seg_bits(v, 5) + num_seg_bits(v, ndig) <= cap_bits(v, e)) {
			return v;
		}
	}
	return 0;
}

static unsigned oracle_byte(size_t n, enum render_ecc e)
{
	for (unsigned v = 1; v <= 40; v++) {
		if (byte_seg_bits(v, n) <= cap_bits(v, e)) {
			return v;
		}
	}
	return 0;
}

/* A compact-JWS-shaped string of @n chars (base64url with two dots). */
static void fake_jws(char *out, size_t n, uint32_t seed)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	uint32_t x = seed * 2654435761u + 1u;

	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		out[i] = b64[(x >> 16) & 63u];
	}
	out[60] = '.';
	out[n - 87] = '.';
	out[n] = '\0';
}

static char qr_text[CERT_QR_TEXT_MAX + 1];
static size_t qr_len;

static void make_shc(size_t jws_chars, uint32_t seed)
{
	static char jws[CERT_SHC_JWS_MAX + 1];

	fake_jws(jws, jws_chars, seed);
	assert_int_equal(cert_shc_qr_text(jws, jws_chars, qr_text, sizeof(qr_text), &qr_len), 0);
	assert_int_equal(qr_len, 5 + 2 * jws_chars);
}

static void assert_matrix(const struct render_qr *qr)
{
	assert_non_null(qr->modules);
	assert_int_equal(qr->width, 17 + 4 * qr->version);
	for (size_t i = 0; i < (size_t)qr->width * qr->width; i++) {
		assert_true(qr->modules[i] <= 1);
	}
	/* finder pattern corner: dark */
	assert_int_equal(qr->modules[0], 1);
}

static void test_shc_two_segments_smallest_version_m(void **state)
{
	struct render_qr qr;
	QRcode *auto_seg;

	(void)state;
	make_shc(850, 1); /* 1700 digits: a 1-2 dose JP card */
	assert_int_equal(render_qr_shc(qr_text, qr_len, RENDER_ECC_AUTO, &qr), 0);
	assert_int_equal(qr.ecc, RENDER_ECC_M);
	assert_true(qr.version <= RENDER_SHC_MAX_VERSION);
	/* exactly the oracle's minimum for byte("shc:/") + numeric(digits) */
	assert_int_equal(qr.version, oracle_shc(qr_len - 5, RENDER_ECC_M));
	/* one byte segment could not be this small: the digits are in numeric mode */
	assert_true(oracle_byte(qr_len, RENDER_ECC_M) > qr.version + 5);
	assert_matrix(&qr);
	/* libqrencode's own optimiser (auto segmentation) finds nothing smaller */
	auto_seg = QRcode_encodeString(qr_text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	assert_non_null(auto_seg);
	assert_true((unsigned)auto_seg->version >= qr.version);
	QRcode_free(auto_seg);
	render_qr_free(&qr);
	assert_null(qr.modules);
	render_qr_free(&qr); /* idempotent */
}

static void test_shc_version_minimal_over_lengths(void **state)
{
	(void)state;
	for (size_t n = 300; n <= 1195; n += 37) {
		struct render_qr qr;
		int rc;

		make_shc(n, (uint32_t)n);
		rc = render_qr_shc(qr_text, qr_len, RENDER_ECC_AUTO, &qr);
		assert_int_equal(rc, 0);
		if (oracle_shc(qr_len - 5, RENDER_ECC_M) <= 22) {
			assert_int_equal(qr.ecc, RENDER_ECC_M);
			assert_int_equal(qr.version, oracle_shc(qr_len - 5, RENDER_ECC_M));
		} else {
			assert_int_equal(qr.ecc, RENDER_ECC_L);
			assert_int_equal(qr.version, oracle_shc(qr_len - 5, RENDER_ECC_L));
		}
		render_qr_free(&qr);
	}
}

static void test_shc_falls_back_to_l(void **state)
{
	struct render_qr qr;

	(void)state;
	make_shc(1000, 7); /* > 927 (M at V22), <= 1195 (L at V22) */
	assert_true(oracle_shc(qr_len - 5, RENDER_ECC_M) > 22);
	assert_int_equal(render_qr_shc(qr_text, qr_len, RENDER_ECC_AUTO, &qr), 0);
	assert_int_equal(qr.ecc, RENDER_ECC_L);
	assert_int_equal(qr.version, oracle_shc(qr_len - 5, RENDER_ECC_L));
	assert_true(qr.version <= 22);
	render_qr_free(&qr);
	/* the board forces M: refused, never above version 22 */
	assert_int_equal(render_qr_shc(qr_text, qr_len, RENDER_ECC_M, &qr), KIOSK_ERR_QR_TOO_LARGE);
	assert_null(qr.modules);
}

static void test_shc_limits(void **state)
{
	struct render_qr qr;

	(void)state;
	make_shc(1195, 3); /* the spec's V22/L maximum */
	assert_int_equal(render_qr_shc(qr_text, qr_len, RENDER_ECC_AUTO, &qr), 0);
	assert_int_equal(qr.version, 22);
	assert_int_equal(qr.ecc, RENDER_ECC_L);
	render_qr_free(&qr);
	make_shc(1196, 3);
	assert_int_equal(render_qr_shc(qr_text, qr_len, RENDER_ECC_AUTO, &qr),
			 KIOSK_ERR_QR_TOO_LARGE);
	make_shc(927, 4); /* the spec's V22/M maximum */
	assert_int_equal(render_qr_shc(qr_text, qr_len, RENDER_ECC_AUTO, &qr), 0);
	assert_int_equal(qr.version, 22);
	assert_int_equal(qr.ecc, RENDER_ECC_M);
	render_qr_free(&qr);
}

static void test_shc_forced_level(void **state)
{
	struct render_qr qr;

	(void)state;
	make_shc(850, 9);
	assert_int_equal(render_qr_shc(qr_text, qr_len, RENDER_ECC_L, &qr), 0);
	assert_int_equal(qr.ecc, RENDER_ECC_L);
	assert_int_equal(qr.version, oracle_shc(qr_len - 5, RENDER_ECC_L));
	render_qr_free(&qr);
	assert_int_equal(render_qr_shc(qr_text, qr_len, RENDER_ECC_Q, &qr), KIOSK_ERR_QR_TOO_LARGE);
	make_shc(400, 9);
	assert_int_equal(render_qr_shc(qr_text, qr_len, RENDER_ECC_H, &qr), 0);
	assert_int_equal(qr.ecc, RENDER_ECC_H);
	render_qr_free(&qr);
}

static void test_shc_format(void **state)
{
	struct render_qr qr;

	(void)state;
	assert_int_equal(render_qr_shc("shc:/123", 8, RENDER_ECC_AUTO, &qr), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(render_qr_shc("shc:/78", 7, RENDER_ECC_AUTO, &qr), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(render_qr_shc("shc:/7a", 7, RENDER_ECC_AUTO, &qr), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(render_qr_shc("shx:/77", 7, RENDER_ECC_AUTO, &qr), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(render_qr_shc("shc:/", 5, RENDER_ECC_AUTO, &qr), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(render_qr_shc("shc:/77", 7, RENDER_ECC_AUTO, &qr), 0);
	assert_int_equal(qr.version, 1);
	render_qr_free(&qr);
	assert_int_equal(render_qr_shc(NULL, 7, RENDER_ECC_AUTO, &qr), KIOSK_ERR_INVALID_ARG);
	assert_int_equal(render_qr_shc("shc:/77", 7, (enum render_ecc)9, &qr),
			 KIOSK_ERR_INVALID_ARG);
}

static void fake_json(char *out, size_t n)
{
	static const char head[] = "{\"data\":{\"hdr\":{\"is\":\"JPN\",\"t\":\"icao.vacc\",\"v\":1},"
				   "\"msg\":{}},\"sig\":{\"alg\":\"ES256\",\"cer\":\"";
	size_t h = sizeof(head) - 1;

	memcpy(out, head, h);
	fake_jws(out + h, n - h - 3, 5);
	for (size_t i = h; i < n - 3; i++) {
		if (out[i] == '.') {
			out[i] = 'A';
		}
	}
	memcpy(out + n - 3, "\"}}", 4);
}

static void test_vdsnc(void **state)
{
	static char json[3200];
	struct render_qr qr;

	(void)state;
	fake_json(json, 600);
	assert_int_equal(render_qr_vdsnc(json, 600, RENDER_ECC_AUTO, &qr), 0);
	assert_int_equal(qr.ecc, RENDER_ECC_M);
	assert_int_equal(qr.version, oracle_byte(600, RENDER_ECC_M));
	assert_matrix(&qr);
	render_qr_free(&qr);
	/* Japan's real seal size: V35 at M */
	fake_json(json, 1788);
	assert_int_equal(render_qr_vdsnc(json, 1788, RENDER_ECC_AUTO, &qr), 0);
	assert_int_equal(qr.ecc, RENDER_ECC_M);
	assert_int_equal(qr.version, 35);
	render_qr_free(&qr);
	assert_int_equal(render_qr_vdsnc(json, 1788, RENDER_ECC_L, &qr), 0);
	assert_int_equal(qr.version, 31);
	render_qr_free(&qr);
	/* too large for M at V40, fits L */
	fake_json(json, 2500);
	assert_int_equal(render_qr_vdsnc(json, 2500, RENDER_ECC_AUTO, &qr), 0);
	assert_int_equal(qr.ecc, RENDER_ECC_L);
	assert_int_equal(qr.version, oracle_byte(2500, RENDER_ECC_L));
	render_qr_free(&qr);
	assert_int_equal(render_qr_vdsnc(json, 2500, RENDER_ECC_M, &qr), KIOSK_ERR_QR_TOO_LARGE);
	fake_json(json, 3000);
	assert_int_equal(render_qr_vdsnc(json, 3000, RENDER_ECC_AUTO, &qr), KIOSK_ERR_QR_TOO_LARGE);
	assert_int_equal(render_qr_vdsnc(json, 0, RENDER_ECC_AUTO, &qr), KIOSK_ERR_CERT_FORMAT);
}

static void test_dots_per_module(void **state)
{
	(void)state;
	/* V22 (105 modules), 40 mm at 300 dpi: 472.4 dots -> 5 per module (44.5 mm) */
	assert_int_equal(render_qr_dots_per_module(105, 300, 40), 5);
	/* at 600 dpi: 944.9 / 105 = 8.999 -> 9 (945 dots = 40.005 mm) */
	assert_int_equal(render_qr_dots_per_module(105, 600, 40), 9);
	assert_int_equal(render_qr_dots_per_module(105, 150, 40), 3);
	/* VDS-NC V35 (157 modules), 50 mm at 300 dpi: 590.6 / 157 -> 4 */
	assert_int_equal(render_qr_dots_per_module(157, 300, 50), 4);
	for (unsigned v = 1; v <= 40; v++) {
		unsigned w = 17 + 4 * v;

		for (unsigned dpi = 150; dpi <= 1200; dpi += 150) {
			unsigned d = render_qr_dots_per_module(w, dpi, 40);

			assert_true((double)d * w / dpi * 25.4 >= 40.0 - 1e-9);
			assert_true(d == 1 || (double)(d - 1) * w / dpi * 25.4 < 40.0);
		}
	}
	assert_int_equal(render_qr_dots_per_module(0, 300, 40), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shc_two_segments_smallest_version_m),
		cmocka_unit_test(test_shc_version_minimal_over_lengths),
		cmocka_unit_test(test_shc_falls_back_to_l),
		cmocka_unit_test(test_shc_limits),
		cmocka_unit_test(test_shc_forced_level),
		cmocka_unit_test(test_shc_format),
		cmocka_unit_test(test_vdsnc),
		cmocka_unit_test(test_dots_per_module),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
