/* SPDX-License-Identifier: MIT */
/*
 * The reference center's parts on their own: RFC 8785 canonical JSON,
 * per-municipality records, challenges, the idempotency store, request
 * validation against garbage, fault switches, base64.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "center.h"

static void jcs_is(const char *in, const char *want)
{
	cJSON *v = cJSON_Parse(in);
	struct rc_buf b = {0};

	assert_non_null(v);
	assert_int_equal(rc_jcs(v, &b), 0);
	assert_string_equal(b.p, want);
	rc_buf_free(&b);
	cJSON_Delete(v);
}

static void jcs_vectors(void **state)
{
	(void)state;
	jcs_is("{ \"b\" : 1, \"a\" : [ true, false, null, \"x\" ] }",
	       "{\"a\":[true,false,null,\"x\"],\"b\":1}");
	/* nested objects sorted at every level; integers as integers */
	jcs_is("{\"msg\":{\"ve\":[{\"vd\":[{\"seq\":2,\"ctr\":\"JPN\"}]}],\"pid\":{\"n\":\"A B\"}},"
	       "\"hdr\":{\"v\":1,\"t\":\"icao.vacc\",\"is\":\"JPN\"}}",
	       "{\"hdr\":{\"is\":\"JPN\",\"t\":\"icao.vacc\",\"v\":1},"
	       "\"msg\":{\"pid\":{\"n\":\"A B\"},"
	       "\"ve\":[{\"vd\":[{\"ctr\":\"JPN\",\"seq\":2}]}]}}");
	/* RFC 8785 §3.2.2.2 escapes; non-ASCII stays raw UTF-8 (cJSON strings end at NUL) */
	jcs_is("{\"s\":\"\\u0001\\b\\t\\n\\f\\r\\\"\\\\/\\u001f\\u20ac\"}",
	       "{\"s\":\"\\u0001\\b\\t\\n\\f\\r\\\"\\\\/\\u001f\xe2\x82\xac\"}");
	/* keys sorted by UTF-16 code units: U+FB33 (BMP) sorts after U+1D11E (surrogates) */
	jcs_is("{\"\xef\xac\xb3\":1,\"\xf0\x9d\x84\x9e\":2,\"\\r\":3,\"1\":4,\"\xc3\xb6\":5}",
	       "{\"\\r\":3,\"1\":4,\"\xc3\xb6\":5,\"\xf0\x9d\x84\x9e\":2,\"\xef\xac\xb3\":1}");
	jcs_is("[-0,9007199254740991,-7]", "[0,9007199254740991,-7]");
}

static void jcs_refuses_floats(void **state)
{
	cJSON *v = cJSON_Parse("{\"a\":1.5}");
	struct rc_buf b = {0};

	(void)state;
	assert_int_equal(rc_jcs(v, &b), -1);
	rc_buf_free(&b);
	cJSON_Delete(v);
}

static struct rc_records *load(void)
{
	char dir[4096];
	struct rc_records *r = NULL;

	snprintf(dir, sizeof(dir), "%s/tools/center/fixtures", getenv("KIOSK_SOURCE_DIR"));
	assert_int_equal(rc_records_open(&r, dir), 0);
	return r;
}

static void fixtures_load(void **state)
{
	struct rc_records *r = load();
	struct rc_resident res;
	const struct rc_municipality *m;

	(void)state;
	assert_int_equal(rc_records_count(r), 3);
	m = rc_records_find(r, "131016");
	assert_non_null(m);
	assert_true(m->participating);
	assert_true(m->overseas);
	assert_string_equal(m->name_en, "Chiyoda City");
	m = rc_records_find(r, "011002");
	assert_non_null(m);
	assert_false(m->participating);
	assert_null(rc_records_find(r, "999999"));
	/* several doses, several products, oldest first */
	assert_int_equal(rc_records_lookup(r, "131016", "314159265352", &res), 1);
	assert_int_equal(res.n_doses, 7);
	assert_string_equal(res.doses[0].date, "2021-05-10");
	assert_string_equal(res.doses[0].cvx, "207");
	assert_string_equal(res.doses[6].cvx, "211");
	assert_false(res.overseas);
	/* overseas registration */
	assert_int_equal(rc_records_lookup(r, "271004", "271828182840", &res), 1);
	assert_true(res.overseas);
	assert_string_equal(res.passport, "XZ7654321");
	assert_string_equal(res.nationality, "USA");
	/* the persona without records */
	assert_int_equal(rc_records_lookup(r, "131016", "161803398872", &res), 0);
	assert_int_equal(res.n_doses, 0);
	rc_records_free(r);
}

static void municipalities_are_isolated(void **state)
{
	struct rc_records *r = load();
	struct rc_resident res;

	(void)state;
	/* the resident vaccinated in both: each city returns only its own doses */
	assert_int_equal(rc_records_lookup(r, "131016", "123456789018", &res), 1);
	assert_int_equal(res.n_doses, 3);
	for (size_t i = 0; i < res.n_doses; i++) {
		assert_string_not_equal(res.doses[i].date, "2023-10-12");
	}
	assert_int_equal(rc_records_lookup(r, "271004", "123456789018", &res), 1);
	assert_int_equal(res.n_doses, 1);
	assert_string_equal(res.doses[0].date, "2023-10-12");
	/* residents of one city are unknown to the other */
	assert_int_equal(rc_records_lookup(r, "131016", "271828182840", &res), 0);
	assert_int_equal(rc_records_lookup(r, "271004", "314159265352", &res), 0);
	assert_int_equal(rc_records_lookup(r, "271004", "173205080750", &res), 0);
	/* a municipality without a database, or an unknown one, reads nothing */
	assert_int_equal(rc_records_lookup(r, "011002", "123456789018", &res), 0);
	assert_int_equal(rc_records_lookup(r, "999999", "123456789018", &res), -1);
	/* SQL-looking input is only ever a bound parameter */
	assert_int_equal(rc_records_lookup(r, "131016", "' OR 1=1 --", &res), 0);
	rc_records_free(r);
}

static void challenges_once_bound_expiring(void **state)
{
	struct rc_challenges *c = rc_challenges_new(4);
	uint8_t n1[32], n2[32], n3[32];

	(void)state;
	memset(n1, 1, sizeof(n1));
	memset(n2, 2, sizeof(n2));
	memset(n3, 3, sizeof(n3));
	assert_int_equal(rc_challenges_add(c, "K1", n1, 1000, 60000), 0);
	assert_int_equal(rc_challenges_add(c, "K1", n2, 1000, 60000), 0);
	assert_int_equal(rc_challenges_add(c, "K1", n3, 1000, 60000), 0);
	/* another kiosk cannot use it, and the attempt spends it */
	assert_int_equal(rc_challenges_take(c, "K2", n1, 32, 2000), -1);
	assert_int_equal(rc_challenges_take(c, "K1", n1, 32, 2000), -1);
	/* once */
	assert_int_equal(rc_challenges_take(c, "K1", n2, 32, 2000), 0);
	assert_int_equal(rc_challenges_take(c, "K1", n2, 32, 2000), -1);
	/* expiry */
	assert_int_equal(rc_challenges_take(c, "K1", n3, 32, 61000), -1);
	assert_int_equal(rc_challenges_take(c, "K1", n3, 31, 2000), -1);
	/* full table refuses, expired slots are reused */
	for (int i = 0; i < 4; i++) {
		n1[0] = (uint8_t)(10 + i);
		assert_int_equal(rc_challenges_add(c, "K1", n1, 100000, 60000), 0);
	}
	assert_int_equal(rc_challenges_add(c, "K1", n2, 100000, 60000), -1);
	assert_int_equal(rc_challenges_add(c, "K1", n2, 200000, 60000), 0);
	rc_challenges_free(c);
}

static void idempotency_expiry_wipes(void **state)
{
	struct rc_idem *s = rc_idem_new();
	char *got;
	int http = 0;

	(void)state;
	assert_int_equal(rc_idem_put(s, "K1", "aa", 200, "{\"certificate_id\":\"X\"}", 0), 0);
	assert_int_equal(rc_idem_put(s, "K1", "bb", 404, "{\"error\":\"no_records\"}", 300000),
			 0);
	got = rc_idem_get(s, "K1", "aa", 599999, &http);
	assert_non_null(got);
	assert_int_equal(http, 200);
	assert_string_equal(got, "{\"certificate_id\":\"X\"}");
	free(got);
	/* same request id from another kiosk is another request */
	assert_null(rc_idem_get(s, "K2", "aa", 1000, &http));
	/* 10 minutes later it is gone */
	assert_null(rc_idem_get(s, "K1", "aa", 600000, &http));
	assert_int_equal(rc_idem_count(s), 1);
	assert_int_equal(rc_idem_sweep(s, 900000), 1);
	assert_int_equal(rc_idem_count(s), 0);
	/* many entries: every one found by (kiosk, id), expired ones leave in order */
	for (int i = 0; i < 20000; i++) {
		char rid[33];

		snprintf(rid, sizeof(rid), "%032x", i);
		assert_int_equal(rc_idem_put(s, i % 2 ? "K1" : "K2", rid, 200, rid, 1000000 + i),
				 0);
	}
	for (int i = 0; i < 20000; i += 997) {
		char rid[33];

		snprintf(rid, sizeof(rid), "%032x", i);
		got = rc_idem_get(s, i % 2 ? "K1" : "K2", rid, 1000000 + 20000, &http);
		assert_non_null(got);
		assert_string_equal(got, rid);
		free(got);
		assert_null(rc_idem_get(s, i % 2 ? "K2" : "K1", rid, 1000000 + 20000, &http));
	}
	assert_int_equal(rc_idem_sweep(s, 1000000 + 600000 + 4999), 5000);
	assert_int_equal(rc_idem_count(s), 15000);
	/* time never runs backwards in the store */
	assert_int_equal(rc_idem_put(s, "K1", "zz", 200, "x", 5), -1);
	rc_idem_free(s);
}

static const char *const GOOD_CARD =
	"\"card\":{\"ef0001\":\"AAAA\",\"ef0002\":\"AAAA\",\"ef0003\":\"AAAA\",\"ef0004\":\"AAAA\","
	"\"ef0007\":\"AAAA\"}";

static int parse_req(const char *rid, const char *kiosk, const char *muni, const char *type,
		     const char *card, const char *chal, size_t sig_bytes)
{
	static struct rc_cert_request q;
	char sig[400] = "";
	char body[4096];
	uint8_t zero[256] = {0};
	size_t n = 0;

	if (sig_bytes > 0) {
		rc_b64url_encode(zero, sig_bytes, true, sig, sizeof(sig));
		for (char *p = sig; *p; p++) {
			*p = *p == '-' ? '+' : (*p == '_' ? '/' : *p);
		}
	}
	snprintf(body, sizeof(body),
		 "{\"request_id\":%s,\"kiosk_id\":%s,\"municipality\":%s,\"type\":%s,%s,"
		 "\"challenge\":%s,\"challenge_signature\":\"%s\"}",
		 rid, kiosk, muni, type, card, chal, sig);
	(void)n;
	return rc_request_parse(body, strlen(body), &q);
}

#define RID "\"0123456789abcdef0123456789abcdef\""
#define CHAL "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\""

static void request_validation(void **state)
{
	static struct rc_cert_request q;
	static const char *const garbage[] = {
		"", "{", "[]", "null", "{\"request_id\":1}", "\"x\"", "{}{}",
		"{\"request_id\":\"0123456789abcdef0123456789abcdef\"}",
	};
	char big[RC_BODY_MAX + 16];

	(void)state;
	assert_int_equal(parse_req(RID, "\"KIOSK-SIM-0001\"", "\"131016\"", "\"domestic\"",
				   GOOD_CARD, CHAL, 256),
			 0);
	assert_int_equal(parse_req(RID, "\"KIOSK-SIM-0001\"", "\"131016\"", "\"overseas\"",
				   GOOD_CARD, CHAL, 256),
			 0);
	/* each field wrong in turn */
	assert_int_equal(parse_req("\"0123456789ABCDEF0123456789ABCDEF\"", "\"K\"", "\"131016\"",
				   "\"domestic\"", GOOD_CARD, CHAL, 256),
			 -1);
	assert_int_equal(parse_req("\"0123\"", "\"K\"", "\"131016\"", "\"domestic\"", GOOD_CARD,
				   CHAL, 256),
			 -1);
	assert_int_equal(parse_req(RID, "\"K I\"", "\"131016\"", "\"domestic\"", GOOD_CARD, CHAL,
				   256),
			 -1);
	assert_int_equal(parse_req(RID, "7", "\"131016\"", "\"domestic\"", GOOD_CARD, CHAL, 256),
			 -1);
	assert_int_equal(parse_req(RID, "\"K\"", "\"13101\"", "\"domestic\"", GOOD_CARD, CHAL,
				   256),
			 -1);
	assert_int_equal(parse_req(RID, "\"K\"", "\"13101a\"", "\"domestic\"", GOOD_CARD, CHAL,
				   256),
			 -1);
	assert_int_equal(parse_req(RID, "\"K\"", "\"131016\"", "\"both\"", GOOD_CARD, CHAL, 256),
			 -1);
	assert_int_equal(parse_req(RID, "\"K\"", "\"131016\"", "\"domestic\"",
				   "\"card\":{\"ef0001\":\"AAAA\"}", CHAL, 256),
			 -1);
	assert_int_equal(parse_req(RID, "\"K\"", "\"131016\"", "\"domestic\"",
				   "\"card\":{\"ef0001\":\"A A=\",\"ef0002\":\"AAAA\",\"ef0003\":"
				   "\"AAAA\",\"ef0004\":\"AAAA\",\"ef0007\":\"AAAA\"}",
				   CHAL, 256),
			 -1);
	assert_int_equal(parse_req(RID, "\"K\"", "\"131016\"", "\"domestic\"", GOOD_CARD,
				   "\"AAAA\"", 256),
			 -1);
	assert_int_equal(parse_req(RID, "\"K\"", "\"131016\"", "\"domestic\"", GOOD_CARD, CHAL,
				   255),
			 -1);
	assert_int_equal(parse_req(RID, "\"K\"", "\"131016\"", "\"domestic\"", GOOD_CARD, CHAL,
				   0),
			 -1);
	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		assert_int_equal(rc_request_parse(garbage[i], strlen(garbage[i]), &q), -1);
	}
	assert_int_equal(rc_request_parse(NULL, 0, &q), -1);
	/* an embedded NUL, and a body over the cap */
	assert_int_equal(rc_request_parse("{\"a\":\0}", 7, &q), -1);
	memset(big, ' ', sizeof(big));
	big[0] = '{';
	big[sizeof(big) - 1] = '}';
	assert_int_equal(rc_request_parse(big, sizeof(big), &q), -1);
	/* pseudo-random bytes never crash the parser */
	srand(7);
	for (int i = 0; i < 2000; i++) {
		char junk[256];
		size_t len = (size_t)(rand() % (int)sizeof(junk));

		for (size_t j = 0; j < len; j++) {
			junk[j] = "{}[]\",:0123456789abcdefnulltrue \\u"[rand() % 34];
		}
		assert_int_equal(rc_request_parse(junk, len, &q), -1);
	}
}

static void challenge_request_validation(void **state)
{
	char k[RC_KIOSK_ID_MAX];

	(void)state;
	assert_int_equal(rc_challenge_request_parse("{\"kiosk_id\":\"KIOSK-SIM-0001\"}", 29, k,
						    sizeof(k)),
			 0);
	assert_string_equal(k, "KIOSK-SIM-0001");
	assert_int_equal(rc_challenge_request_parse("{\"kiosk_id\":\"\"}", 15, k, sizeof(k)), -1);
	assert_int_equal(rc_challenge_request_parse("{\"kiosk\":\"K\"}", 13, k, sizeof(k)), -1);
	assert_int_equal(rc_challenge_request_parse("{", 1, k, sizeof(k)), -1);
}

static void fault_switches(void **state)
{
	struct rc_faults f;
	char *js;

	(void)state;
	rc_faults_init(&f);
	assert_int_equal(rc_faults_set_arg(&f, "delay_ms=250"), 0);
	assert_int_equal(rc_faults_get(&f, RC_FAULT_DELAY_MS), 250);
	assert_int_equal(rc_faults_set_arg(&f, "drop=2"), 0);
	assert_true(rc_faults_take(&f, RC_FAULT_DROP));
	assert_true(rc_faults_take(&f, RC_FAULT_DROP));
	assert_false(rc_faults_take(&f, RC_FAULT_DROP));
	assert_int_equal(rc_faults_set(&f, "http_503", "on"), 0);
	for (int i = 0; i < 5; i++) {
		assert_true(rc_faults_take(&f, RC_FAULT_HTTP_503));
	}
	assert_int_equal(rc_faults_set(&f, "http_503", "off"), 0);
	assert_false(rc_faults_take(&f, RC_FAULT_HTTP_503));
	assert_int_equal(rc_faults_set_arg(&f, "nonsense=1"), -1);
	assert_int_equal(rc_faults_set_arg(&f, "drop"), -1);
	assert_int_equal(rc_faults_set_arg(&f, "drop=x"), -1);
	assert_int_equal(rc_faults_set_arg(&f, "delay_ms=-1"), -1);
	js = rc_faults_json(&f);
	assert_non_null(strstr(js, "\"delay_ms\":250"));
	free(js);
	pthread_mutex_destroy(&f.lock);
}

static void base64_forms(void **state)
{
	uint8_t out[16];
	size_t n = 0;
	char enc[32];
	const uint8_t in[] = {0xfb, 0xff, 0xfe};

	(void)state;
	assert_int_equal(rc_b64url_encode(in, 3, false, enc, sizeof(enc)), 0);
	assert_string_equal(enc, "-__-");
	assert_int_equal(rc_b64url_encode(in, 2, true, enc, sizeof(enc)), 0);
	assert_string_equal(enc, "-_8=");
	assert_int_equal(rc_b64url_encode(in, 2, false, enc, sizeof(enc)), 0);
	assert_string_equal(enc, "-_8");
	assert_int_equal(rc_b64url_decode("-_8", out, sizeof(out), &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(rc_b64url_decode("+/8=", out, sizeof(out), &n), -1);
	assert_int_equal(rc_b64_decode("+/8=", out, sizeof(out), &n), 0);
	assert_int_equal(rc_b64_decode("+/8", out, sizeof(out), &n), -1);
	assert_int_equal(rc_b64_decode("+/\n8=", out, sizeof(out), &n), -1);
	assert_int_equal(rc_b64_decode("", out, sizeof(out), &n), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(jcs_vectors),
		cmocka_unit_test(jcs_refuses_floats),
		cmocka_unit_test(fixtures_load),
		cmocka_unit_test(municipalities_are_isolated),
		cmocka_unit_test(challenges_once_bound_expiring),
		cmocka_unit_test(idempotency_expiry_wipes),
		cmocka_unit_test(request_validation),
		cmocka_unit_test(challenge_request_validation),
		cmocka_unit_test(fault_switches),
		cmocka_unit_test(base64_forms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
