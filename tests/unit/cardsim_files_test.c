/* SPDX-License-Identifier: MIT */
/*
 * The card's files: shapes and sizes (mynacard.md 4/5), DF21 offsets, and the
 * whole signature chain verified independently with mbedTLS against the TEST
 * anchor: A (EF 0004 by the CA), B (EF 0003 by the EF 0004 key), C and D (the
 * digests), E (EF 0007), the 80 2A challenge signature; then the file faults
 * (tamper=*, unknown_ca) each break exactly the check they are meant to.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>
#include <mbedtls/sha256.h>

#include "cardsim/cardsim.h"
#include "cardsim_fixture.h"

#define CA_ID_HEX "36303030303333080530303100000000"

static const uint8_t test_ca_id[16] = { '6', '0', '0', '0', '0', '3', '3', 8, 5, '0', '0', '1' };
static const uint8_t unknown_ca_id[16] = { '6', '9', '9', '9', '9', '3', '3', 8, 5, '0', '0', '1' };

enum { CHECK_A = 1, CHECK_B = 2, CHECK_C = 4, CHECK_D = 8, CHECK_E = 16, CHECK_ALL = 31 };

static const uint8_t *ef(const struct cardsim_card *c, uint16_t fid, size_t *len)
{
	const uint8_t *d = cardsim_ef(c, fid, len);

	assert_non_null(d);
	return d;
}

/* Send hex-encoded APDU; returns SW, response data in @out. */
static uint16_t tx(struct cardsim_card *c, const char *hex, uint8_t *out, size_t *out_len)
{
	uint8_t cmd[600], resp[1024];
	size_t n = 0, rlen = 0;

	for (const char *p = hex; *p != '\0';) {
		unsigned v;

		if (*p == ' ') {
			p++;
			continue;
		}
		assert_int_equal(sscanf(p, "%2x", &v), 1);
		cmd[n++] = (uint8_t)v;
		p += 2;
	}
	assert_int_equal(cardsim_process(c, cmd, n, resp, sizeof(resp), &rlen), CARDSIM_ANSWER);
	assert_true(rlen >= 2);
	if (out != NULL) {
		memcpy(out, resp, rlen - 2);
	}
	if (out_len != NULL) {
		*out_len = rlen - 2;
	}
	return (uint16_t)((resp[rlen - 2] << 8) | resp[rlen - 1]);
}

static void sha256(const uint8_t *d, size_t n, uint8_t h[32])
{
	assert_int_equal(mbedtls_sha256_ret(d, n, h, 0), 0);
}

static void rsa_from_modulus(mbedtls_rsa_context *rsa, const uint8_t *n)
{
	static const uint8_t e[3] = { 1, 0, 1 };

	mbedtls_rsa_init(rsa, MBEDTLS_RSA_PKCS_V15, 0);
	assert_int_equal(mbedtls_rsa_import_raw(rsa, n, 256, NULL, 0, NULL, 0, NULL, 0, e, 3), 0);
	assert_int_equal(mbedtls_rsa_complete(rsa), 0);
}

static bool rsa_verify(mbedtls_rsa_context *rsa, const uint8_t *msg, size_t len,
		       const uint8_t *sig)
{
	uint8_t h[32];

	sha256(msg, len, h);
	return mbedtls_rsa_rsassa_pkcs1_v15_verify(rsa, NULL, NULL, MBEDTLS_RSA_PUBLIC,
						   MBEDTLS_MD_SHA256, 32, h, sig) == 0;
}

static void load_anchor(mbedtls_pk_context *pk)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/anchors/%s.pem", getenv("KIOSK_TEST_PKI"), CA_ID_HEX);
	mbedtls_pk_init(pk);
	assert_int_equal(mbedtls_pk_parse_public_keyfile(pk, path), 0);
}

/* The firmware's chain (mynacard.md 5.6), done independently: which checks pass. */
static int verify_chain(const struct cardsim_card *c, mbedtls_pk_context *ca)
{
	size_t l1, l2, l3, l4, l7;
	const uint8_t *f1 = ef(c, 0x0001, &l1), *f2 = ef(c, 0x0002, &l2);
	const uint8_t *f3 = ef(c, 0x0003, &l3), *f4 = ef(c, 0x0004, &l4);
	const uint8_t *f7 = ef(c, 0x0007, &l7);
	mbedtls_rsa_context muni;
	uint8_t h[32];
	size_t hdr, off22;
	int ok = 0;

	assert_int_equal(l4, 568);
	assert_int_equal(l3, 336);
	assert_int_equal(l7, 536);
	/* A: CA signature over the 297-byte 5F4E value. */
	sha256(f4 + 10, 297, h);
	if (mbedtls_pk_verify(ca, MBEDTLS_MD_SHA256, h, 32, f4 + 312, 256) == 0) {
		ok |= CHECK_A;
	}
	rsa_from_modulus(&muni, f4 + 10 + 32 + 9);
	/* B: the EF 0004 key over the 70 bytes DF31..DF32. */
	if (rsa_verify(&muni, f3 + 5, 70, f3 + 80)) {
		ok |= CHECK_B;
	}
	/* C: all 17 physical bytes of EF 0001. */
	sha256(f1, l1, h);
	if (memcmp(h, f3 + 8, 32) == 0) {
		ok |= CHECK_C;
	}
	/* D: from the DF22 tag to the end of DF25 (the offset table is not hashed). */
	hdr = f2[2] < 0x80 ? 3 : f2[2] == 0x81 ? 4 : 5;
	off22 = ((size_t)f2[hdr + 3] << 8) | f2[hdr + 4];
	sha256(f2 + off22, l2 - off22, h);
	if (memcmp(h, f3 + 43, 32) == 0) {
		ok |= CHECK_D;
	}
	/* E: DF51 TLV incl. header, by the EF 0004 key. */
	if (rsa_verify(&muni, f7 + 5, 270, f7 + 280)) {
		ok |= CHECK_E;
	}
	mbedtls_rsa_free(&muni);
	return ok;
}

static void test_anchor_file(void **state)
{
	char path[4096], line[256];
	FILE *f;
	mbedtls_pk_context ca;

	(void)state;
	snprintf(path, sizeof(path), "%s/anchors/%s.pem", getenv("KIOSK_TEST_PKI"), CA_ID_HEX);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line,
			    "# TEST-ONLY card CA anchor — never install on a production kiosk\n");
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, "-----BEGIN PUBLIC KEY-----\n");
	fclose(f);
	load_anchor(&ca);
	assert_int_equal(mbedtls_pk_get_bitlen(&ca), 2048);
	mbedtls_pk_free(&ca);
	snprintf(path, sizeof(path), "%s/TEST-ONLY", getenv("KIOSK_TEST_PKI"));
	f = fopen(path, "r");
	assert_non_null(f);
	fclose(f);
}

static void test_ef0001(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");
	size_t n;
	const uint8_t *f = ef(c, 0x0001, &n);

	(void)state;
	assert_int_equal(n, 17);
	assert_memory_equal(f, "\xFF\x10\x0C" "123456789018" "\xFF\xFF", 17);
	cardsim_card_free(c);
}

/* Walk EF 0002: the DF21 offsets point at DF22..DF25, lengths add up. */
static void check_basic4(const char *persona, uint8_t len_form)
{
	struct cardsim_card *c = cardsim_fixture_load(persona);
	size_t n, hdr, content, pos;
	const uint8_t *f = ef(c, 0x0002, &n);

	assert_int_equal(f[0], 0xFF);
	assert_int_equal(f[1], 0x20);
	if (len_form == 0) {
		assert_true(f[2] < 0x80);
		hdr = 3;
		content = f[2];
	} else if (len_form == 0x81) {
		assert_int_equal(f[2], 0x81);
		hdr = 4;
		content = f[3];
	} else {
		assert_int_equal(f[2], 0x82);
		hdr = 5;
		content = ((size_t)f[3] << 8) | f[4];
		assert_true(n > 256);
	}
	assert_int_equal(hdr + content, n);
	assert_int_equal(f[hdr], 0xDF);
	assert_int_equal(f[hdr + 1], 0x21);
	assert_int_equal(f[hdr + 2], 0x08);
	pos = hdr + 11;
	for (int i = 0; i < 4; i++) {
		size_t off = ((size_t)f[hdr + 3 + 2 * i] << 8) | f[hdr + 4 + 2 * i];
		size_t l, lh;

		assert_int_equal(off, pos);
		assert_int_equal(f[off], 0xDF);
		assert_int_equal(f[off + 1], 0x22 + i);
		if (f[off + 2] < 0x80) {
			l = f[off + 2];
			lh = 1;
		} else if (f[off + 2] == 0x81) {
			l = f[off + 3];
			lh = 2;
		} else {
			assert_int_equal(f[off + 2], 0x82);
			l = ((size_t)f[off + 3] << 8) | f[off + 4];
			lh = 3;
		}
		if (i == 2) {
			assert_int_equal(l, 8);
		}
		if (i == 3) {
			assert_int_equal(l, 1);
		}
		pos = off + 2 + lh + l;
	}
	assert_int_equal(pos, n);
	cardsim_card_free(c);
}

static void test_ef0002_shapes(void **state)
{
	(void)state;
	check_basic4("standard", 0);
	check_basic4("foreign", 0x81);
	check_basic4("long", 0x82);
	check_basic4("rare_kanji", 0);
}

static void test_ef0002_contents(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("rare_kanji");
	size_t n;
	const uint8_t *f = ef(c, 0x0002, &n);
	/* 𠮷田　髙志: U+20BB7 is 4 bytes of UTF-8, U+3000 between the names. */
	static const char name[] = "\xF0\xA0\xAE\xB7\xE7\x94\xB0\xE3\x80\x80"
				   "\xE9\xAB\x99\xE5\xBF\x97";

	(void)state;
	assert_int_equal(f[14], 0xDF);
	assert_int_equal(f[15], 0x22);
	assert_int_equal(f[16], sizeof(name) - 1);
	assert_memory_equal(f + 17, name, sizeof(name) - 1);
	assert_memory_equal(f + n - 15, "\xDF\x24\x08" "19991231" "\xDF\x25\x01" "1", 15);
	cardsim_card_free(c);
}

static void test_fixed_size_files(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");
	size_t n;
	const uint8_t *f;

	(void)state;
	f = ef(c, 0x0003, &n);
	assert_int_equal(n, 336);
	assert_memory_equal(f, "\xFF\x30\x82\x01\x4B\xDF\x31\x20", 8);
	assert_memory_equal(f + 40, "\xDF\x32\x20", 3);
	assert_memory_equal(f + 75, "\xDF\x33\x82\x01\x00", 5);

	f = ef(c, 0x0004, &n);
	assert_int_equal(n, 568);
	assert_memory_equal(f, "\x7F\x21\x82\x02\x33\x5F\x4E\x82\x01\x29", 10);
	assert_memory_equal(f + 10, test_ca_id, 16);
	assert_memory_equal(f + 26, "1310161\x08\x05" "001\0\0\0\0", 16);
	assert_memory_equal(f + 42, "\x90\x03\x01\x00\x01\x91\x82\x01\x00", 9);
	assert_memory_equal(f + 307, "\x5F\x37\x82\x01\x00", 5);

	f = ef(c, 0x0005, &n);
	assert_memory_equal(f, "\xFF\x40\x81\x9E\xDF\x41\x04\x01\x03\x0E\x01\xDF\x42\x10", 14);
	assert_memory_equal(f + 14, "6000034\x08\x05" "001\0\0\0\0", 16);
	assert_memory_equal(f + 30, "\xDF\x43\x81\x80", 4);
	assert_int_equal(n, 34 + 128);
	for (size_t i = 34 + 32; i < n; i++) {
		assert_int_equal(f[i], 0xFF);
	}

	f = ef(c, 0x0007, &n);
	assert_int_equal(n, 536);
	assert_memory_equal(f, "\xFF\x50\x82\x02\x13\xDF\x51\x82\x01\x09\x90\x03\x01\x00\x01"
			       "\x91\x82\x01\x00", 19);
	assert_memory_equal(f + 275, "\xDF\x52\x82\x01\x00", 5);

	f = ef(c, 0x0008, &n);
	assert_int_equal(n, 16);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(f[i], 0xFF);
	}
	assert_null(cardsim_ef(c, 0x0011, &n));
	assert_int_equal(n, 0);
	assert_null(cardsim_ef(c, 0x0009, NULL));
	cardsim_card_free(c);
}

static void test_chain_verifies(void **state)
{
	static const char *const personas[] = { "standard", "long", "rare_kanji", "foreign",
						"no_sfi" };
	mbedtls_pk_context ca;

	(void)state;
	load_anchor(&ca);
	for (size_t i = 0; i < sizeof(personas) / sizeof(personas[0]); i++) {
		struct cardsim_card *c = cardsim_fixture_load(personas[i]);

		assert_int_equal(verify_chain(c, &ca), CHECK_ALL);
		cardsim_card_free(c);
	}
	mbedtls_pk_free(&ca);
}

/* Two municipalities: different EF 0004 keys, same CA. */
static void test_municipality_keys_differ(void **state)
{
	struct cardsim_card *a = cardsim_fixture_load("standard"), *b = cardsim_fixture_load("foreign");
	size_t n;

	(void)state;
	assert_memory_not_equal(ef(a, 0x0004, &n) + 51, ef(b, 0x0004, &n) + 51, 256);
	assert_memory_equal(ef(b, 0x0004, &n) + 26, "2710041", 7);
	cardsim_card_free(a);
	cardsim_card_free(b);
}

static void test_read_via_apdus_matches(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("long");
	uint8_t buf[1024], chunk[300];
	size_t n, got = 0, l;
	const uint8_t *f = ef(c, 0x0002, &n);

	(void)state;
	assert_int_equal(tx(c, "00A4040C0AD3921000310001010408", NULL, NULL), 0x9000);
	assert_int_equal(tx(c, "00A4020C020011", NULL, NULL), 0x9000);
	assert_int_equal(tx(c, "0020008004" "32353830", NULL, NULL), 0x9000);
	assert_int_equal(tx(c, "00A4020C020002", NULL, NULL), 0x9000);
	assert_int_equal(tx(c, "00B0000000", chunk, &l), 0x9000);
	assert_int_equal(l, 256);
	memcpy(buf, chunk, l);
	got = l;
	assert_int_equal(tx(c, "00B0010000", chunk, &l), 0x9000); /* asks 256, gets the rest */
	assert_int_equal(l, n - 256);
	memcpy(buf + got, chunk, l);
	got += l;
	assert_int_equal(got, n);
	assert_memory_equal(buf, f, n);
	cardsim_card_free(c);
}

static void test_challenge_signature(void **state)
{
	struct cardsim_card *c = cardsim_fixture_load("standard");
	static const char di_prefix[] = "3031300D060960864801650304020105000420";
	uint8_t nonce[32], h[32], sig[300];
	char hex[300];
	size_t n, l;
	const uint8_t *f7 = ef(c, 0x0007, &n);
	mbedtls_rsa_context key;
	int pos;

	(void)state;
	for (size_t i = 0; i < sizeof(nonce); i++) {
		nonce[i] = (uint8_t)(i * 37 + 11);
	}
	sha256(nonce, sizeof(nonce), h);
	pos = snprintf(hex, sizeof(hex), "802A000033%s", di_prefix);
	for (size_t i = 0; i < 32; i++) {
		pos += snprintf(hex + pos, sizeof(hex) - (size_t)pos, "%02X", h[i]);
	}
	snprintf(hex + pos, sizeof(hex) - (size_t)pos, "00");

	assert_int_equal(tx(c, "00A4040C0AD3921000310001010408", NULL, NULL), 0x9000);
	assert_int_equal(tx(c, hex, NULL, NULL), 0x6982); /* no PIN yet */
	assert_int_equal(tx(c, "00A4020C020011", NULL, NULL), 0x9000);
	assert_int_equal(tx(c, "002000800431323334", NULL, NULL), 0x9000);
	assert_int_equal(tx(c, hex, sig, &l), 0x9000);
	assert_int_equal(l, 256);
	rsa_from_modulus(&key, f7 + 19);
	assert_int_equal(mbedtls_rsa_rsassa_pkcs1_v15_verify(&key, NULL, NULL, MBEDTLS_RSA_PUBLIC,
							     MBEDTLS_MD_SHA256, 32, h, sig),
			 0);

	/* replay: a genuine signature, but not over this nonce. */
	assert_int_equal(cardsim_set(c, "replay", "1"), 0);
	assert_int_equal(tx(c, hex, sig, &l), 0x9000);
	assert_int_equal(l, 256);
	assert_int_not_equal(mbedtls_rsa_rsassa_pkcs1_v15_verify(&key, NULL, NULL,
								 MBEDTLS_RSA_PUBLIC,
								 MBEDTLS_MD_SHA256, 32, h, sig),
			     0);
	mbedtls_rsa_free(&key);
	cardsim_card_free(c);
}

static void test_tamper_faults(void **state)
{
	mbedtls_pk_context ca;
	struct cardsim_card *c = cardsim_fixture_load("standard");
	size_t n;
	const uint8_t *f;
	char digits[13];

	(void)state;
	load_anchor(&ca);
	assert_int_equal(cardsim_set(c, "tamper", "my_number"), 0);
	assert_int_equal(verify_chain(c, &ca), CHECK_ALL & ~CHECK_C);
	f = ef(c, 0x0001, &n);
	memcpy(digits, f + 3, 12);
	digits[12] = '\0';
	assert_string_not_equal(digits, "123456789018");
	/* Still a valid number: only the digest can tell. */
	{
		unsigned sum = 0;

		for (unsigned i = 1; i <= 11; i++) {
			sum += (unsigned)(digits[11 - i] - '0') * (i <= 6 ? i + 1 : i - 5);
		}
		sum %= 11;
		assert_int_equal(digits[11] - '0', sum <= 1 ? 0 : 11 - (int)sum);
	}

	assert_int_equal(cardsim_set(c, "tamper", "basic4"), 0);
	assert_int_equal(verify_chain(c, &ca), CHECK_ALL & ~CHECK_D);
	f = ef(c, 0x0002, &n);
	assert_int_equal(f[n - 1], '1'); /* persona says '2' */

	assert_int_equal(cardsim_set(c, "tamper", "record"), 0);
	assert_int_equal(verify_chain(c, &ca) & (CHECK_A | CHECK_B | CHECK_D | CHECK_E),
			 CHECK_A | CHECK_D | CHECK_E);

	assert_int_equal(cardsim_set(c, "tamper", "cert"), 0);
	assert_int_equal(verify_chain(c, &ca) & CHECK_A, 0);
	assert_int_equal(verify_chain(c, &ca) & (CHECK_C | CHECK_D), CHECK_C | CHECK_D);

	assert_int_equal(cardsim_set(c, "tamper", "none"), 0);
	assert_int_equal(verify_chain(c, &ca), CHECK_ALL);
	assert_int_equal(cardsim_set(c, "tamper", "everything"), -1);
	assert_int_equal(verify_chain(c, &ca), CHECK_ALL);
	mbedtls_pk_free(&ca);
	cardsim_card_free(c);
}

static void test_unknown_ca(void **state)
{
	mbedtls_pk_context ca, unknown;
	struct cardsim_card *c = cardsim_fixture_load("standard");
	char path[4096];
	uint8_t h[32];
	size_t n;
	const uint8_t *f;

	(void)state;
	load_anchor(&ca);
	assert_int_equal(cardsim_set(c, "unknown_ca", "1"), 0);
	f = ef(c, 0x0004, &n);
	assert_memory_equal(f + 10, unknown_ca_id, 16);
	assert_int_equal(verify_chain(c, &ca), CHECK_ALL & ~CHECK_A);
	/* ... but it is genuinely signed, by the unknown CA. */
	snprintf(path, sizeof(path), "%s/unknown-ca.key.pem", getenv("KIOSK_TEST_PKI"));
	mbedtls_pk_init(&unknown);
	assert_int_equal(mbedtls_pk_parse_keyfile(&unknown, path, NULL), 0);
	sha256(f + 10, 297, h);
	assert_int_equal(mbedtls_pk_verify(&unknown, MBEDTLS_MD_SHA256, h, 32, f + 312, 256), 0);
	assert_int_equal(cardsim_set(c, "unknown_ca", "0"), 0);
	assert_int_equal(verify_chain(c, &ca), CHECK_ALL);
	mbedtls_pk_free(&unknown);
	mbedtls_pk_free(&ca);
	cardsim_card_free(c);
}

static void test_load_errors(void **state)
{
	char path[4096], err[256] = "";

	(void)state;
	snprintf(path, sizeof(path), "%s/standard.json", getenv("KIOSK_PERSONAS"));
	assert_null(cardsim_card_load(path, "/nonexistent-pki", err, sizeof(err)));
	assert_non_null(strstr(err, "pki"));
	assert_null(cardsim_card_load("/nonexistent.json", getenv("KIOSK_TEST_PKI"), err,
				      sizeof(err)));
	assert_non_null(strstr(err, "persona"));
	assert_null(cardsim_card_load(path, "/nonexistent-pki", NULL, 0));
	cardsim_card_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_anchor_file),
		cmocka_unit_test(test_ef0001),
		cmocka_unit_test(test_ef0002_shapes),
		cmocka_unit_test(test_ef0002_contents),
		cmocka_unit_test(test_fixed_size_files),
		cmocka_unit_test(test_chain_verifies),
		cmocka_unit_test(test_municipality_keys_differ),
		cmocka_unit_test(test_read_via_apdus_matches),
		cmocka_unit_test(test_challenge_signature),
		cmocka_unit_test(test_tamper_faults),
		cmocka_unit_test(test_unknown_ca),
		cmocka_unit_test(test_load_errors),
	};

	if (getenv("KIOSK_TEST_PKI") == NULL || getenv("KIOSK_PERSONAS") == NULL) {
		fprintf(stderr, "KIOSK_TEST_PKI and KIOSK_PERSONAS must be set\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
