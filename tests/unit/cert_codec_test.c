/* SPDX-License-Identifier: MIT */
/* kiosk_certificate codecs: strict base64/base64url, the shc:/ numeric QR text, JCS. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "kiosk/certificate.h"
#include "kiosk/err.h"

static int url(const char *in, bool pad, uint8_t *out, size_t *n)
{
	return cert_b64url_decode(in, strlen(in), pad, out, 16, n);
}

static void test_b64url_strict(void **state)
{
	uint8_t out[16];
	size_t n;

	(void)state;
	assert_int_equal(url("", false, out, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(url("Zg", false, out, &n), 0);
	assert_int_equal(n, 1);
	assert_memory_equal(out, "f", 1);
	assert_int_equal(url("Zm8", false, out, &n), 0);
	assert_memory_equal(out, "fo", 2);
	assert_int_equal(url("Zm9v", false, out, &n), 0);
	assert_memory_equal(out, "foo", 3);
	assert_int_equal(url("-_8", false, out, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(out[0], 0xFB);
	assert_int_equal(out[1], 0xFF);
	/* non-canonical trailing bits, bad length, bad characters */
	assert_int_equal(url("Zh", false, out, &n), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(url("Zm9", false, out, &n), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(url("Z", false, out, &n), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(url("Zm9vY", false, out, &n), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(url("Zg+/", false, out, &n), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(url("Zm 9v", false, out, &n), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(url("Zm9v\n", false, out, &n), KIOSK_ERR_CERT_FORMAT);
	/* padding only when allowed, and only if exactly right */
	assert_int_equal(url("Zg==", false, out, &n), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(url("Zg==", true, out, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(url("Zm8=", true, out, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(url("Zg=", true, out, &n), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(url("Zg===", true, out, &n), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(url("Zm9v====", true, out, &n), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(url("Zm8==", true, out, &n), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(url("Z=g=", true, out, &n), KIOSK_ERR_CERT_FORMAT);
	/* output cap */
	assert_int_equal(cert_b64url_decode("Zm9v", 4, false, out, 2, &n),
			 KIOSK_ERR_BUFFER_TOO_SMALL);
}

static void test_b64_standard(void **state)
{
	uint8_t out[16];
	size_t n;

	(void)state;
	assert_int_equal(cert_b64_decode("Zg==", 4, out, sizeof(out), &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(cert_b64_decode("+/8=", 4, out, sizeof(out), &n), 0);
	assert_int_equal(out[0], 0xFB);
	assert_int_equal(out[1], 0xFF);
	assert_int_equal(cert_b64_decode("Zg", 2, out, sizeof(out), &n), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(cert_b64_decode("-_8=", 4, out, sizeof(out), &n), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(cert_b64_decode("Zh==", 4, out, sizeof(out), &n), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(cert_b64_decode("Zg=a", 4, out, sizeof(out), &n), KIOSK_ERR_CERT_FORMAT);
}

static void test_b64url_encode_roundtrip(void **state)
{
	uint8_t in[40];
	uint8_t back[40];
	char txt[64];
	size_t n;
	size_t m;

	(void)state;
	for (size_t i = 0; i < sizeof(in); i++) {
		in[i] = (uint8_t)(i * 37 + 250);
	}
	for (size_t len = 0; len <= sizeof(in); len++) {
		assert_int_equal(cert_b64url_encode(in, len, txt, sizeof(txt), &n), 0);
		assert_int_equal(n, strlen(txt));
		assert_null(strchr(txt, '='));
		assert_int_equal(cert_b64url_decode(txt, n, false, back, sizeof(back), &m), 0);
		assert_int_equal(m, len);
		assert_memory_equal(in, back, len);
	}
	assert_int_equal(cert_b64url_encode(in, 3, txt, 4, &n), KIOSK_ERR_BUFFER_TOO_SMALL);
}

static void test_qr_numeric(void **state)
{
	char out[64];
	size_t n;

	(void)state;
	/* certificate-formats.md §1.7: '-'->00 '.'->01 '0'->03 'A'->20 'X'->43 '_'->50 'z'->77 */
	assert_int_equal(cert_shc_qr_text("-.0AX_z", 7, out, sizeof(out), &n), 0);
	assert_string_equal(out, "shc:/00010320435077");
	assert_int_equal(n, strlen(out));
	assert_int_equal(cert_shc_qr_text("eyJ", 3, out, sizeof(out), &n), 0);
	assert_string_equal(out, "shc:/567629");
	assert_int_equal(cert_shc_qr_text("a b", 3, out, sizeof(out), &n), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(cert_shc_qr_text("a{", 2, out, sizeof(out), &n), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(cert_shc_qr_text("abc", 3, out, 10, &n), KIOSK_ERR_BUFFER_TOO_SMALL);
	assert_int_equal(cert_shc_qr_text("abc", 3, out, 12, &n), 0);
}

static uint64_t scratch[2048];

static int jcs(const char *in, char *out, size_t cap)
{
	size_t n = 0;
	int rc = cert_jcs_canonicalize(in, strlen(in), scratch, sizeof(scratch), (uint8_t *)out,
				       cap - 1, &n);

	out[n] = '\0';
	return rc;
}

static void test_jcs_vectors(void **state)
{
	char out[512];

	(void)state;
	assert_int_equal(jcs("{\"b\":1,\"a\":\"x\",\"c\":{\"z\":true,\"y\":null}}", out,
			     sizeof(out)), 0);
	assert_string_equal(out, "{\"a\":\"x\",\"b\":1,\"c\":{\"y\":null,\"z\":true}}");
	assert_int_equal(jcs(" { \"a\" : [ 1 , -2 , false ] ,\n\t\"A\":{} } ", out,
			     sizeof(out)), 0);
	assert_string_equal(out, "{\"A\":{},\"a\":[1,-2,false]}");
	assert_int_equal(jcs("{\"n\":-0,\"m\":9007199254740991}", out, sizeof(out)), 0);
	assert_string_equal(out, "{\"m\":9007199254740991,\"n\":0}");
	/* RFC 8785 §3.2.3: sort by UTF-16 code units (the emoji's surrogates sort before U+FB33) */
	assert_int_equal(jcs("{\"\\u20ac\":1,\"\\r\":2,\"\\ufb33\":3,\"1\":4,\"\\ud83d\\ude00\":5,"
			     "\"\\u0080\":6,\"\\u00f6\":7}", out, sizeof(out)), 0);
	assert_string_equal(out, "{\"\\r\":2,\"1\":4,\"\xc2\x80\":6,\"\xc3\xb6\":7,"
			    "\"\xe2\x82\xac\":1,\"\xf0\x9f\x98\x80\":5,\"\xef\xac\xb3\":3}");
	/* JCS escaping: only " \\ and controls; \/ and \u escapes of printables are undone */
	assert_int_equal(jcs("[\"\\u0041\\u00e9\\n\\t\\\"\\\\\\/\\u001f\\u007f\\b\\f\\r\\u0000\"]",
			     out, sizeof(out)), 0);
	assert_string_equal(out, "[\"A\xc3\xa9\\n\\t\\\"\\\\/\\u001f\x7f\\b\\f\\r\\u0000\"]");
	assert_int_equal(jcs("\"\xe5\xb1\xb1\xe7\x94\xb0\"", out, sizeof(out)), 0);
	assert_string_equal(out, "\"\xe5\xb1\xb1\xe7\x94\xb0\"");
}

static void test_jcs_refuses(void **state)
{
	char out[128];

	(void)state;
	assert_int_equal(jcs("{\"a\":1.5}", out, sizeof(out)), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(jcs("{\"a\":1e3}", out, sizeof(out)), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(jcs("[9007199254740992]", out, sizeof(out)), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(jcs("{\"a\":1,\"a\":2}", out, sizeof(out)), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(jcs("{\"a\":{\"b\":1,\"b\":1}}", out, sizeof(out)), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(jcs("[\"\\ud800\"]", out, sizeof(out)), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(jcs("[\"\\udc00\\ud800\"]", out, sizeof(out)), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(jcs("[\"\xc0\xaf\"]", out, sizeof(out)), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(jcs("[\"\xed\xa0\x80\"]", out, sizeof(out)), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(jcs("[\"a\tb\"]", out, sizeof(out)), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(jcs("{\"a\":1} x", out, sizeof(out)), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(jcs("{\"a\":01}", out, sizeof(out)), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(jcs("[1,]", out, sizeof(out)), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(jcs("\xef\xbb\xbf{}", out, sizeof(out)), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(jcs("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", out,
			     sizeof(out)), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(jcs("{\"abcdef\":\"ghijkl\"}", out, 8), KIOSK_ERR_BUFFER_TOO_SMALL);
	/* the parse tree lived in scratch, which is wiped */
	for (size_t i = 0; i < sizeof(scratch) / sizeof(scratch[0]); i++) {
		assert_int_equal(scratch[i], 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b64url_strict),
		cmocka_unit_test(test_b64_standard),
		cmocka_unit_test(test_b64url_encode_roundtrip),
		cmocka_unit_test(test_qr_numeric),
		cmocka_unit_test(test_jcs_vectors),
		cmocka_unit_test(test_jcs_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
