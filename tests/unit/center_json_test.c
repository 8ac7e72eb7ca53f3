/* SPDX-License-Identifier: MIT */
/* The center's JSON: answers checked against the schema, the request built exactly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <mbedtls/base64.h>

#include "kiosk/center.h"
#include "kiosk/err.h"
#include "kiosk/msg.h"

#define U8(s) ((const uint8_t *)(s))

static int perr(unsigned status, const char *body)
{
	return center_parse_error(status, U8(body), strlen(body));
}

static void test_every_error_code(void **state)
{
	static const struct {
		const char *name;
		unsigned status;
		int err;
	} cases[] = {
		{ "bad_request", 400, KIOSK_ERR_CENTER_BAD_REQUEST },
		{ "not_participating", 403, KIOSK_ERR_CENTER_NOT_PARTICIPATING },
		{ "no_records", 404, KIOSK_ERR_CENTER_NO_RECORDS },
		{ "challenge_expired", 409, KIOSK_ERR_CENTER_CHALLENGE_EXPIRED },
		{ "card_invalid", 422, KIOSK_ERR_CENTER_CARD_INVALID },
		{ "presence_failed", 422, KIOSK_ERR_CENTER_PRESENCE_FAILED },
		{ "overseas_not_registered", 422, KIOSK_ERR_CENTER_OVERSEAS_NOT_REGISTERED },
		{ "busy", 503, KIOSK_ERR_CENTER_BUSY },
		{ "internal", 500, KIOSK_ERR_CENTER_INTERNAL },
	};
	char body[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(body, sizeof(body),
			 "{\"status\":\"error\",\"error\":\"%s\",\"message_ja\":\"\xe3\x81\x82\","
			 "\"message_en\":\"x\"}",
			 cases[i].name);
		assert_int_equal(perr(cases[i].status, body), cases[i].err);
		/* every center error has a resident message and a name */
		assert_int_not_equal(kiosk_err_msg(cases[i].err), KIOSK_MSG_NONE);
		assert_string_not_equal(kiosk_err_name(cases[i].err), "UNKNOWN");
	}
	/* unknown error string / malformed body: by HTTP status */
	assert_int_equal(perr(409, "{\"status\":\"error\",\"error\":\"what\"}"),
			 KIOSK_ERR_CENTER_PROTOCOL);
	assert_int_equal(perr(503, "<html>busy</html>"), KIOSK_ERR_CENTER_BUSY);
	assert_int_equal(perr(500, ""), KIOSK_ERR_CENTER_INTERNAL);
	assert_int_equal(perr(502, "{\"status\":\"error\"}"), KIOSK_ERR_CENTER_PROTOCOL);
	assert_int_equal(perr(404, "{\"status\":\"ok\",\"error\":\"no_records\"}"),
			 KIOSK_ERR_CENTER_PROTOCOL);
	assert_int_equal(perr(404, "{\"status\":\"error\",\"error\":7}"),
			KIOSK_ERR_CENTER_PROTOCOL);
	assert_int_equal(perr(404, "[\"no_records\"]"), KIOSK_ERR_CENTER_PROTOCOL);
}

static void test_every_center_error_has_resident_text(void **state)
{
	static const int errs[] = {
		KIOSK_ERR_CENTER_UNREACHABLE, KIOSK_ERR_CONNECT_TIMEOUT,
		KIOSK_ERR_TLS_HANDSHAKE_TIMEOUT, KIOSK_ERR_READ_TIMEOUT, KIOSK_ERR_TLS_UNTRUSTED,
		KIOSK_ERR_TLS_EXPIRED, KIOSK_ERR_TLS_WRONG_HOST, KIOSK_ERR_TLS_CLIENT_CERT_REFUSED,
		KIOSK_ERR_TLS_HANDSHAKE, KIOSK_ERR_CONNECTION_DROPPED, KIOSK_ERR_HTTP_PROTOCOL,
		KIOSK_ERR_HTTP_HEADERS_TOO_LARGE, KIOSK_ERR_HTTP_BODY_TOO_LARGE,
		KIOSK_ERR_CENTER_PROTOCOL,
	};
	char ja[512];
	char en[512];

	(void)state;
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		enum kiosk_msg_id id = kiosk_err_msg(errs[i]);

		assert_int_not_equal(id, KIOSK_MSG_NONE);
		assert_int_equal(kiosk_msg_format(id, KIOSK_LANG_JA, 0, ja, sizeof(ja)), KIOSK_OK);
		assert_int_equal(kiosk_msg_format(id, KIOSK_LANG_EN, 0, en, sizeof(en)), KIOSK_OK);
		assert_true(strlen(ja) > 0 && strlen(en) > 0);
		assert_string_not_equal(kiosk_err_name(errs[i]), "UNKNOWN");
		assert_string_not_equal(kiosk_strerror(errs[i]), "unknown error");
	}
	/* a TLS verification failure needs staff, a busy center only patience */
	assert_int_equal(kiosk_err_msg(KIOSK_ERR_TLS_UNTRUSTED), KIOSK_MSG_OUT_OF_SERVICE);
	assert_int_equal(kiosk_err_msg(KIOSK_ERR_CENTER_BUSY), KIOSK_MSG_CENTER_UNAVAILABLE);
}

static int pmuni(const char *body, struct center_municipality *m, size_t cap, size_t *n)
{
	return center_parse_municipalities(U8(body), strlen(body), m, cap, n);
}

static void test_municipalities(void **state)
{
	struct center_municipality m[4];
	size_t n = 99;

	(void)state;
	assert_int_equal(pmuni("{\"version\":1,\"municipalities\":["
			       "{\"code\":\"131016\","
				"\"name_ja\":\"\xe5\x8d\x83\xe4\xbb\xa3\xe7\x94\xb0\xe5\x8c\xba\","
			       "\"name_en\":\"Chiyoda City\",\"overseas\":true},"
			       "{\"code\":\"271004\",\"name_ja\":\"x\",\"name_en\":\"Osaka City\","
			       "\"overseas\":false,\"extra\":[1,2]}],\"unknown\":null}",
			       m, 4, &n),
			 KIOSK_OK);
	assert_int_equal(n, 2);
	assert_string_equal(m[0].code, "131016");
	assert_string_equal(m[0].name_ja, "\xe5\x8d\x83\xe4\xbb\xa3\xe7\x94\xb0\xe5\x8c\xba");
	assert_string_equal(m[0].name_en, "Chiyoda City");
	assert_true(m[0].overseas);
	assert_false(m[1].overseas);
	assert_int_equal(pmuni("{\"version\":1,\"municipalities\":[]}", m, 4, &n), KIOSK_OK);
	assert_int_equal(n, 0);
}

static void test_municipalities_to_json_roundtrip(void **state)
{
	static const char in[] = "{\"version\":1,\"municipalities\":["
				 "{\"code\":\"131016\",\"name_ja\":\"\xe5\x8d\x83\","
				 "\"name_en\":\"Chiyoda \\\"City\\\"\",\"overseas\":true}]}";
	struct center_municipality m[2];
	char out[512];
	size_t n = 0;
	size_t len = 0;

	(void)state;
	assert_int_equal(pmuni(in, m, 2, &n), KIOSK_OK);
	assert_int_equal(center_municipalities_to_json(m, n, out, sizeof(out), &len), KIOSK_OK);
	assert_string_equal(out, in);
	assert_int_equal(len, strlen(in));
	assert_int_equal(center_municipalities_to_json(m, n, out, 20, &len),
			 KIOSK_ERR_BUFFER_TOO_SMALL);
	assert_int_equal(center_municipalities_to_json(m, 0, out, sizeof(out), &len), KIOSK_OK);
	assert_string_equal(out, "{\"version\":1,\"municipalities\":[]}");
}

static void test_municipalities_rejects(void **state)
{
	static const char *const bad[] = {
		"",
		"not json",
		"{\"version\":1,\"municipalities\":[",
		"[]",
		"{\"municipalities\":[]}",
		"{\"version\":2,\"municipalities\":[]}",
		"{\"version\":\"1\",\"municipalities\":[]}",
		"{\"version\":1,\"municipalities\":{}}",
		"{\"version\":1,\"municipalities\":[1]}",
		"{\"version\":1,\"municipalities\":[{\"code\":\"13101\",\"name_ja\":\"a\","
			"\"name_en\":\"b\",\"overseas\":true}]}",
		"{\"version\":1,\"municipalities\":[{\"code\":\"13101x\",\"name_ja\":\"a\","
			"\"name_en\":\"b\",\"overseas\":true}]}",
		"{\"version\":1,\"municipalities\":[{\"code\":131016,\"name_ja\":\"a\","
			"\"name_en\":\"b\",\"overseas\":true}]}",
		"{\"version\":1,\"municipalities\":[{\"code\":\"131016\",\"name_en\":\"b\","
			"\"overseas\":true}]}",
		"{\"version\":1,\"municipalities\":[{\"code\":\"131016\",\"name_ja\":\"a\","
			"\"name_en\":\"b\"}]}",
		"{\"version\":1,\"municipalities\":[{\"code\":\"131016\",\"name_ja\":\"a\","
			"\"name_en\":\"b\",\"overseas\":1}]}",
		"{\"version\":1,\"municipalities\":[{\"code\":\"131016\",\"name_ja\":\"\","
			"\"name_en\":\"b\",\"overseas\":true}]}",
		/* names: invalid UTF-8 (overlong, lone continuation, surrogate), control chars */
		"{\"version\":1,\"municipalities\":[{\"code\":\"131016\",\"name_ja\":\"\xc0\xaf\","
		"\"name_en\":\"b\",\"overseas\":true}]}",
		"{\"version\":1,\"municipalities\":[{\"code\":\"131016\",\"name_ja\":\"\x80\","
		"\"name_en\":\"b\",\"overseas\":true}]}",
		"{\"version\":1,\"municipalities\":[{\"code\":\"131016\","
		"\"name_ja\":\"\xed\xa0\x80\",\"name_en\":\"b\",\"overseas\":true}]}",
		"{\"version\":1,\"municipalities\":[{\"code\":\"131016\",\"name_ja\":\"a\","
		"\"name_en\":\"b\\u0007\",\"overseas\":true}]}",
		/* duplicate code */
		"{\"version\":1,\"municipalities\":[{\"code\":\"131016\",\"name_ja\":\"a\","
			"\"name_en\":\"b\",\"overseas\":true},"
		"{\"code\":\"131016\",\"name_ja\":\"a\",\"name_en\":\"b\",\"overseas\":true}]}",
	};
	struct center_municipality m[4];
	char big[512];
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = 99;
		assert_int_equal(pmuni(bad[i], m, 4, &n), KIOSK_ERR_CENTER_PROTOCOL);
		assert_int_equal(n, 0);
	}
	/* a name longer than the field */
	snprintf(big, sizeof(big),
		 "{\"version\":1,\"municipalities\":[{\"code\":\"131016\",\"name_ja\":\"%0*d\","
		 "\"name_en\":\"b\",\"overseas\":true}]}",
		 CENTER_MUNI_NAME_MAX, 0);
	assert_int_equal(pmuni(big, m, 4, &n), KIOSK_ERR_CENTER_PROTOCOL);
}

static void test_municipalities_oversized_list(void **state)
{
	struct center_municipality m[3];
	char body[1024];
	size_t len;
	size_t n = 0;

	(void)state;
	len = (size_t)snprintf(body, sizeof(body), "{\"version\":1,\"municipalities\":[");
	for (int i = 0; i < 4; i++) {
		len += (size_t)snprintf(body + len, sizeof(body) - len,
					"%s{\"code\":\"13101%d\",\"name_ja\":\"a\","
						"\"name_en\":\"b\","
					"\"overseas\":true}",
					i ? "," : "", i);
	}
	snprintf(body + len, sizeof(body) - len, "]}");
	assert_int_equal(pmuni(body, m, 3, &n), KIOSK_ERR_CENTER_PROTOCOL);
	assert_int_equal(n, 0);
	assert_int_equal(pmuni(body, m, 0, &n), KIOSK_ERR_CENTER_PROTOCOL);
}

static void test_challenge(void **state)
{
	/* 32 bytes 0x00..0x1f in base64url */
	static const char ok[] = "{\"challenge\":\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\","
				 "\"expires_in\":60}";
	struct center_challenge ch;

	(void)state;
	assert_int_equal(center_parse_challenge(U8(ok), strlen(ok), &ch), KIOSK_OK);
	assert_string_equal(ch.text, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8");
	for (int i = 0; i < 32; i++) {
		assert_int_equal(ch.bytes[i], i);
	}
	assert_int_equal(ch.expires_in, 60);
}

static void test_challenge_rejects(void **state)
{
	static const char *const bad[] = {
		"{\"expires_in\":60}",
		"{\"challenge\":\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\"}",
		"{\"challenge\":\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\",\"expires_in\":0}",
		"{\"challenge\":\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\","
		"\"expires_in\":1.5}",
		"{\"challenge\":\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\","
			"\"expires_in\":\"60\"}",
		"{\"challenge\":\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh\",\"expires_in\":60}",
		"{\"challenge\":\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdH+8\",\"expires_in\":60}",
		"{\"challenge\":42,\"expires_in\":60}",
		"{\"challenge\":\"\",\"expires_in\":60}",
	};
	struct center_challenge ch;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(center_parse_challenge(U8(bad[i]), strlen(bad[i]), &ch),
				 KIOSK_ERR_CENTER_PROTOCOL);
		assert_int_equal(ch.text[0], '\0');
	}
}

static struct kiosk_vault vault;

static int setup_vault(void **state)
{
	(void)state;
	kiosk_vault_init(&vault);
	return kiosk_vault_setup(&vault, CENTER_CERT_VAULT_NEED);
}

static int teardown_vault(void **state)
{
	(void)state;
	kiosk_vault_free(&vault);
	return 0;
}

#define CERT_HEAD "{\"status\":\"issued\",\"certificate_id\":\"JP-131016-000123\"," \
		  "\"issued_at\":\"2026-11-25T10:00:00Z\",\"municipality\":\"131016\","

static void test_certificate_domestic(void **state)
{
	static const char ok[] = CERT_HEAD "\"type\":\"domestic\",\"shc\":\"eyJh.eyJi.c2ln\"}";
	struct center_certificate c;

	(void)state;
	assert_int_equal(center_parse_certificate(U8(ok), strlen(ok), CENTER_CERT_DOMESTIC, &vault,
						  &c),
			 KIOSK_OK);
	assert_string_equal(c.certificate_id, "JP-131016-000123");
	assert_string_equal(c.issued_at, "2026-11-25T10:00:00Z");
	assert_string_equal(c.municipality, "131016");
	assert_int_equal(c.type, CENTER_CERT_DOMESTIC);
	assert_string_equal(c.shc, "eyJh.eyJi.c2ln");
	assert_int_equal(c.shc_len, 14);
	assert_true(kiosk_vault_owns(&vault, c.shc, c.shc_len + 1));
	assert_null(c.vdsnc);
	/* asked for overseas, got domestic */
	assert_int_equal(center_parse_certificate(U8(ok), strlen(ok), CENTER_CERT_OVERSEAS, &vault,
						  &c),
			 KIOSK_ERR_CENTER_PROTOCOL);
	assert_null(c.shc);
	kiosk_vault_wipe(&vault);
	assert_true(kiosk_vault_is_wiped(&vault));
}

static void test_certificate_overseas(void **state)
{
	static const char ok[] = CERT_HEAD "\"type\":\"overseas\",\"shc\":\"eyJh.eyJi.c2ln\","
					   "\"vdsnc\": { \"data\" : {\"hdr\":{\"t\":\"icao.vacc"
						"\",\"v\":1}},"
					   " \"sig\":{\"alg\":\"ES256\"} }}";
	struct center_certificate c;

	(void)state;
	assert_int_equal(center_parse_certificate(U8(ok), strlen(ok), CENTER_CERT_OVERSEAS, &vault,
						  &c),
			 KIOSK_OK);
	assert_non_null(c.vdsnc);
	assert_string_equal(c.vdsnc,
			    "{\"data\":{\"hdr\":{\"t\":\"icao.vacc\",\"v\":1}},"
				"\"sig\":{\"alg\":\"ES256\"}}");
	assert_int_equal(c.vdsnc_len, strlen(c.vdsnc));
	assert_true(kiosk_vault_owns(&vault, c.vdsnc, c.vdsnc_len + 1));
	kiosk_vault_wipe(&vault);
}

#define OVERSEAS_HEAD CERT_HEAD "\"type\":\"overseas\",\"shc\":\"a.b.c\"," \
		      "\"vdsnc\":{\"data\":{},\"sig\":{}}"

static void test_certificate_nationality(void **state)
{
	static const char with[] = OVERSEAS_HEAD ",\"nationality\":\"JPN\"}";
	static const char absent[] = OVERSEAS_HEAD "}";
	/* malformed: the issuance fails rather than print a wrong nationality */
	static const char *const bad[] = {
		OVERSEAS_HEAD ",\"nationality\":\"jpn\"}",
		OVERSEAS_HEAD ",\"nationality\":\"JP\"}",
		OVERSEAS_HEAD ",\"nationality\":\"JPNX\"}",
		OVERSEAS_HEAD ",\"nationality\":\"J1N\"}",
		OVERSEAS_HEAD ",\"nationality\":\"JP \"}",
		OVERSEAS_HEAD ",\"nationality\":\"\"}",
		OVERSEAS_HEAD ",\"nationality\":\"JP\\u0000N\"}",
		OVERSEAS_HEAD ",\"nationality\":\"\xef\xbc\xaa\xef\xbc\xb0\xef\xbc\xae\"}",
		OVERSEAS_HEAD ",\"nationality\":392}",
		OVERSEAS_HEAD ",\"nationality\":null}",
		OVERSEAS_HEAD ",\"nationality\":[\"JPN\"]}",
	};
	static const char domestic[] = CERT_HEAD "\"type\":\"domestic\",\"shc\":\"a.b.c\","
						 "\"nationality\":\"JPN\"}";
	struct center_certificate c;

	(void)state;
	assert_int_equal(center_parse_certificate(U8(with), strlen(with), CENTER_CERT_OVERSEAS,
						  &vault, &c),
			 KIOSK_OK);
	assert_string_equal(c.nationality, "JPN");
	assert_non_null(c.vdsnc);
	/* absent: issued, nationality unknown */
	assert_int_equal(center_parse_certificate(U8(absent), strlen(absent),
						  CENTER_CERT_OVERSEAS, &vault, &c),
			 KIOSK_OK);
	assert_string_equal(c.nationality, "");
	assert_non_null(c.vdsnc);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&c, 0x5a, sizeof(c));
		assert_int_equal(center_parse_certificate(U8(bad[i]), strlen(bad[i]),
							  CENTER_CERT_OVERSEAS, &vault, &c),
				 KIOSK_ERR_CENTER_PROTOCOL);
		assert_null(c.shc);
		assert_null(c.vdsnc);
		assert_string_equal(c.nationality, "");
	}
	/* a domestic page has no nationality line: the field is not taken */
	assert_int_equal(center_parse_certificate(U8(domestic), strlen(domestic),
						  CENTER_CERT_DOMESTIC, &vault, &c),
			 KIOSK_OK);
	assert_string_equal(c.nationality, "");
	kiosk_vault_wipe(&vault);
}

static void test_certificate_rejects(void **state)
{
	static const char *const bad[] = {
		"{}",
		"{\"status\":\"error\",\"error\":\"busy\"}",
		/* missing each field in turn */
		"{\"status\":\"issued\",\"issued_at\":\"2026-11-25T10:00:00Z\","
			"\"municipality\":\"131016\",\"type\":\"domestic\",\"shc\":\"a.b.c\"}",
		"{\"status\":\"issued\",\"certificate_id\":\"X\",\"municipality\":\"131016\","
			"\"type\":\"domestic\",\"shc\":\"a.b.c\"}",
		"{\"status\":\"issued\",\"certificate_id\":\"X\","
			"\"issued_at\":\"2026-11-25T10:00:00Z\",\"type\":\"domestic\","
				"\"shc\":\"a.b.c\"}",
		CERT_HEAD "\"shc\":\"a.b.c\"}",
		CERT_HEAD "\"type\":\"domestic\"}",
		/* wrong types and values */
		CERT_HEAD "\"type\":\"domestic\",\"shc\":42}",
		CERT_HEAD "\"type\":\"both\",\"shc\":\"a.b.c\"}",
		CERT_HEAD "\"type\":\"domestic\",\"shc\":\"a.b\"}",
		CERT_HEAD "\"type\":\"domestic\",\"shc\":\"a.b.c.d\"}",
		CERT_HEAD "\"type\":\"domestic\",\"shc\":\"a..c\"}",
		CERT_HEAD "\"type\":\"domestic\",\"shc\":\"a.b c.d\"}",
		"{\"status\":\"issued\",\"certificate_id\":\"X\",\"issued_at\":\"yesterday\","
			"\"municipality\":\"131016\",\"type\":\"domestic\",\"shc\":\"a.b.c\"}",
		"{\"status\":\"issued\",\"certificate_id\":\"X Y\","
			"\"issued_at\":\"2026-11-25T10:00:00Z\",\"municipality\":\"131016\","
				"\"type\":\"domestic\",\"shc\":"
				"\"a.b.c\"}",
		"{\"status\":\"issued\",\"certificate_id\":\"X\","
			"\"issued_at\":\"2026-11-25T10:00:00Z\",\"municipality\":\"1310\","
				"\"type\":\"domestic\",\"shc\":\"a.b"
				".c\"}",
		CERT_HEAD "\"type\":\"domestic\",\"shc\":\"a.b.c\"",
	};
	static const char *const bad_overseas[] = {
		CERT_HEAD "\"type\":\"overseas\",\"shc\":\"a.b.c\"}",
		CERT_HEAD "\"type\":\"overseas\",\"shc\":\"a.b.c\",\"vdsnc\":\"{}\"}",
		CERT_HEAD "\"type\":\"overseas\",\"shc\":\"a.b.c\",\"vdsnc\":{\"sig\":{}}}",
		CERT_HEAD "\"type\":\"overseas\",\"shc\":\"a.b.c\",\"vdsnc\":{\"data\":{}}}",
	};
	struct center_certificate c;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(center_parse_certificate(U8(bad[i]), strlen(bad[i]),
							  CENTER_CERT_DOMESTIC, &vault, &c),
				 KIOSK_ERR_CENTER_PROTOCOL);
		assert_null(c.shc);
	}
	for (size_t i = 0; i < sizeof(bad_overseas) / sizeof(bad_overseas[0]); i++) {
		assert_int_equal(center_parse_certificate(U8(bad_overseas[i]),
				strlen(bad_overseas[i]),
							  CENTER_CERT_OVERSEAS, &vault, &c),
				 KIOSK_ERR_CENTER_PROTOCOL);
	}
	kiosk_vault_wipe(&vault);
}

static void test_certificate_large_shc(void **state)
{
	size_t n = 200 * 1024;
	char *body = malloc(n + 512);
	size_t len;
	struct center_certificate c;

	(void)state;
	assert_non_null(body);
	len = (size_t)snprintf(body, 512, CERT_HEAD "\"type\":\"domestic\",\"shc\":\"a.b.");
	memset(body + len, 'Q', n);
	len += n;
	len += (size_t)snprintf(body + len, 16, "\"}");
	assert_int_equal(center_parse_certificate(U8(body), len, CENTER_CERT_DOMESTIC, &vault, &c),
			 KIOSK_OK);
	assert_int_equal(c.shc_len, n + 4);
	kiosk_vault_wipe(&vault);
	free(body);
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++) {
		p[i] = (uint8_t)(seed + i * 7);
	}
}

static void test_request_exact_bytes(void **state)
{
	static const uint8_t ef1[] = { 0x00, 0x01, 0x02 };             /* AAEC */
	static const uint8_t ef2[] = { 0xff };                         /* /w== */
	static const uint8_t ef3[] = { 0xfb, 0xff };                   /* +/8= */
	static const uint8_t ef4[] = { 'M', 'a', 'n' };                /* TWFu */
	static const uint8_t ef7[] = { 'M', 'a' };                     /* TWE= */
	static const uint8_t sig[] = { 'M' };                          /* TQ== */
	struct center_cert_request r;
	char out[1024];
	size_t len = 0;

	(void)state;
	memset(&r, 0, sizeof(r));
	memcpy(r.request_id, "0123456789abcdef0123456789abcdef", 33);
	r.municipality = "131016";
	r.type = CENTER_CERT_OVERSEAS;
	r.challenge = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
	r.ef0001 = ef1; r.ef0001_len = sizeof(ef1);
	r.ef0002 = ef2; r.ef0002_len = sizeof(ef2);
	r.ef0003 = ef3; r.ef0003_len = sizeof(ef3);
	r.ef0004 = ef4; r.ef0004_len = sizeof(ef4);
	r.ef0007 = ef7; r.ef0007_len = sizeof(ef7);
	r.signature = sig; r.signature_len = sizeof(sig);
	assert_int_equal(center_build_certificate_request("KIOSK-SIM-0001", &r, out, sizeof(out),
							  &len),
			 KIOSK_OK);
	assert_string_equal(out,
		"{\"request_id\":\"0123456789abcdef0123456789abcdef\","
			"\"kiosk_id\":\"KIOSK-SIM-0001\","
		"\"municipality\":\"131016\",\"type\":\"overseas\","
		"\"card\":{\"ef0001\":\"AAEC\",\"ef0002\":\"/w==\",\"ef0003\":\"+/8=\","
		"\"ef0004\":\"TWFu\",\"ef0007\":\"TWE=\"},"
		"\"challenge\":\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\","
		"\"challenge_signature\":\"TQ==\"}");
	assert_int_equal(len, strlen(out));
	/* one byte short of room (the NUL) */
	assert_int_equal(center_build_certificate_request("KIOSK-SIM-0001", &r, out, len, &len),
			 KIOSK_ERR_BUFFER_TOO_SMALL);
	assert_int_equal(out[0], '\0');
}

static void test_request_base64_roundtrip(void **state)
{
	struct center_cert_request r;
	static uint8_t ef[5][2048];
	static uint8_t sig[256];
	static char out[32 * 1024];
	uint8_t dec[2048];
	size_t len = 0;
	size_t dlen = 0;
	const char *p;
	char *q;

	(void)state;
	for (int i = 0; i < 5; i++) {
		fill(ef[i], sizeof(ef[i]), (uint8_t)(i * 31));
	}
	fill(sig, sizeof(sig), 99);
	memset(&r, 0, sizeof(r));
	memcpy(r.request_id, "ffffffffffffffffffffffffffffffff", 33);
	r.municipality = "271004";
	r.type = CENTER_CERT_DOMESTIC;
	r.challenge = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
	r.ef0001 = ef[0]; r.ef0001_len = 17;
	r.ef0002 = ef[1]; r.ef0002_len = 2048;
	r.ef0003 = ef[2]; r.ef0003_len = 1000;
	r.ef0004 = ef[3]; r.ef0004_len = 2047;
	r.ef0007 = ef[4]; r.ef0007_len = 1;
	r.signature = sig; r.signature_len = 256;
	assert_int_equal(center_build_certificate_request("K1", &r, out, sizeof(out), &len),
			 KIOSK_OK);
	/* decode ef0002 and the signature back */
	p = strstr(out, "\"ef0002\":\"") + 10;
	q = strchr(p, '"');
	assert_int_equal(mbedtls_base64_decode(dec, sizeof(dec), &dlen, (const uint8_t *)p,
					       (size_t)(q - p)),
			 0);
	assert_int_equal(dlen, 2048);
	assert_memory_equal(dec, ef[1], 2048);
	p = strstr(out, "\"challenge_signature\":\"") + 23;
	q = strchr(p, '"');
	assert_int_equal((size_t)(q - p), 344); /* 256 bytes -> 344 chars with padding */
	assert_int_equal(mbedtls_base64_decode(dec, sizeof(dec), &dlen, (const uint8_t *)p,
					       (size_t)(q - p)),
			 0);
	assert_memory_equal(dec, sig, 256);
	assert_non_null(strstr(out, "\"type\":\"domestic\""));
}

static void test_request_refuses_bad_fields(void **state)
{
	static const uint8_t b[] = { 1 };
	struct center_cert_request r;
	char out[1024];
	size_t len;

	(void)state;
	memset(&r, 0, sizeof(r));
	memcpy(r.request_id, "0123456789abcdef0123456789abcdef", 33);
	r.municipality = "131016";
	r.challenge = "abc";
	r.ef0001 = r.ef0002 = r.ef0003 = r.ef0004 = r.ef0007 = r.signature = b;
	r.ef0001_len = r.ef0002_len = r.ef0003_len = r.ef0004_len = r.ef0007_len = 1;
	r.signature_len = 1;
	assert_int_equal(center_build_certificate_request("K", &r, out, sizeof(out), &len),
			KIOSK_OK);
	assert_int_equal(center_build_certificate_request("K\"", &r, out, sizeof(out), &len),
			 KIOSK_ERR_INVALID_ARG);
	r.challenge = "a\"b";
	assert_int_equal(center_build_certificate_request("K", &r, out, sizeof(out), &len),
			 KIOSK_ERR_INVALID_ARG);
	r.challenge = "abc";
	r.municipality = "13101\"";
	assert_int_equal(center_build_certificate_request("K", &r, out, sizeof(out), &len),
			 KIOSK_ERR_INVALID_ARG);
	r.municipality = "131016";
	memcpy(r.request_id, "0123456789ABCDEF0123456789abcdef", 33);
	assert_int_equal(center_build_certificate_request("K", &r, out, sizeof(out), &len),
			 KIOSK_ERR_INVALID_ARG);
	memcpy(r.request_id, "0123456789abcdef0123456789abcdef", 33);
	r.ef0007 = NULL;
	assert_int_equal(center_build_certificate_request("K", &r, out, sizeof(out), &len),
			 KIOSK_ERR_INVALID_ARG);
}

static void test_wiping_hooks_keep_cjson_working(void **state)
{
	static const char ok[] = CERT_HEAD "\"type\":\"domestic\",\"shc\":\"eyJh.eyJi.c2ln\"}";
	struct center_certificate c;
	char *s;
	cJSON *o;

	(void)state;
	center_json_install_wiping_hooks();
	o = cJSON_CreateObject();
	assert_non_null(cJSON_AddStringToObject(o, "k", "v"));
	s = cJSON_PrintUnformatted(o);
	assert_string_equal(s, "{\"k\":\"v\"}");
	free(s); /* plain free() stays valid for other cJSON users */
	cJSON_Delete(o);
	assert_int_equal(center_parse_certificate(U8(ok), strlen(ok), CENTER_CERT_DOMESTIC, &vault,
						  &c),
			 KIOSK_OK);
	kiosk_vault_wipe(&vault);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_error_code),
		cmocka_unit_test(test_every_center_error_has_resident_text),
		cmocka_unit_test(test_municipalities),
		cmocka_unit_test(test_municipalities_to_json_roundtrip),
		cmocka_unit_test(test_municipalities_rejects),
		cmocka_unit_test(test_municipalities_oversized_list),
		cmocka_unit_test(test_challenge),
		cmocka_unit_test(test_challenge_rejects),
		cmocka_unit_test(test_certificate_domestic),
		cmocka_unit_test(test_certificate_overseas),
		cmocka_unit_test(test_certificate_nationality),
		cmocka_unit_test(test_certificate_rejects),
		cmocka_unit_test(test_certificate_large_shc),
		cmocka_unit_test(test_request_exact_bytes),
		cmocka_unit_test(test_request_base64_roundtrip),
		cmocka_unit_test(test_request_refuses_bad_fields),
		cmocka_unit_test(test_wiping_hooks_keep_cjson_working),
	};

	return cmocka_run_group_tests(tests, setup_vault, teardown_vault);
}
