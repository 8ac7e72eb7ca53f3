/* SPDX-License-Identifier: MIT */
/*
 * The reference center's endpoint logic in-process (no socket): challenge ->
 * certificate for simulated cards, the SHC and VDS-NC it issues (decoded and
 * verified here), and each protocol error.
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
#include "refcenter_card.h"
#include "refcenter_verify.h"

#define KIOSK "KIOSK-SIM-0001"

static struct rc_center center;
static char pki[4096];

static int group_setup(void **state)
{
	char anchors[4096], data[4096];

	(void)state;
	snprintf(pki, sizeof(pki), "%s", getenv("KIOSK_CENTER_PKI"));
	snprintf(anchors, sizeof(anchors), "%s/anchors", getenv("KIOSK_TEST_PKI"));
	snprintf(data, sizeof(data), "%s/tools/center/fixtures", getenv("KIOSK_SOURCE_DIR"));
	return rc_center_open(&center, pki, anchors, data, "https://localhost/issuer");
}

static int group_teardown(void **state)
{
	(void)state;
	rc_center_close(&center);
	return 0;
}

/* A fresh challenge for @kiosk: text as sent, bytes decoded. */
static void challenge(const char *kiosk, char text[64], uint8_t bytes[32])
{
	struct rc_answer a = {0};
	char body[128];
	cJSON *o;
	size_t n = 0;

	snprintf(body, sizeof(body), "{\"kiosk_id\":\"%s\"}", kiosk);
	rc_handle_challenge(&center, kiosk, body, strlen(body), &a);
	assert_int_equal(a.http, 201);
	o = cJSON_Parse(a.body);
	assert_int_equal(cJSON_GetObjectItem(o, "expires_in")->valueint, 60);
	snprintf(text, 64, "%s", cJSON_GetStringValue(cJSON_GetObjectItem(o, "challenge")));
	assert_int_equal(rc_b64url_decode(text, bytes, 32, &n), 0);
	assert_int_equal(n, 32);
	cJSON_Delete(o);
	rc_answer_free(&a);
}

static char *request(const char *persona, const char *rid, const char *muni, const char *type)
{
	static struct refc_evidence e;
	char text[64];
	uint8_t bytes[32];

	challenge(KIOSK, text, bytes);
	assert_int_equal(refc_card_evidence(persona, bytes, sizeof(bytes), &e), 0);
	return refc_request_json(&e, rid, KIOSK, muni, type, text);
}

/* POST /v1/certificates; the parsed answer (caller deletes). */
static cJSON *certificate(const char *body, int want_http, const char *want_error)
{
	struct rc_answer a = {0};
	char rid[40];
	cJSON *o;

	rc_handle_certificate(&center, KIOSK, body, strlen(body), &a, rid);
	assert_non_null(a.body);
	o = cJSON_Parse(a.body);
	assert_non_null(o);
	if (a.http != want_http) {
		fail_msg("http %d, want %d: %s", a.http, want_http, a.body);
	}
	if (want_error != NULL) {
		assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(o, "error")),
				    want_error);
		assert_non_null(cJSON_GetStringValue(cJSON_GetObjectItem(o, "message_ja")));
		assert_non_null(cJSON_GetStringValue(cJSON_GetObjectItem(o, "message_en")));
	}
	rc_answer_free(&a);
	return o;
}

static cJSON *issue(const char *persona, const char *rid, const char *muni, const char *type)
{
	char *body = request(persona, rid, muni, type);
	cJSON *o = certificate(body, 200, NULL);

	free(body);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(o, "status")), "issued");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(o, "municipality")), muni);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(o, "type")), type);
	return o;
}

static cJSON *open_shc(const cJSON *answer)
{
	char key[4200];
	char jwks[4200];
	cJSON *claims;

	snprintf(key, sizeof(key), "%s/shc-issuer.key.pem", pki);
	snprintf(jwks, sizeof(jwks), "%s/shc-jwks.json", pki);
	claims = refc_shc_open(cJSON_GetStringValue(cJSON_GetObjectItem(answer, "shc")), key,
			       refc_jwks_kid(jwks));
	assert_non_null(claims);
	return claims;
}

static const cJSON *bundle_entries(const cJSON *claims)
{
	const cJSON *vc = cJSON_GetObjectItem(claims, "vc");
	const cJSON *b = cJSON_GetObjectItem(cJSON_GetObjectItem(vc, "credentialSubject"),
					     "fhirBundle");

	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(claims, "iss")),
			    "https://localhost/issuer");
	assert_true(cJSON_IsNumber(cJSON_GetObjectItem(claims, "nbf")));
	assert_string_equal(cJSON_GetStringValue(cJSON_GetArrayItem(
				    cJSON_GetObjectItem(vc, "type"), 0)),
			    "https://smarthealth.cards#health-card");
	/* only what a verifier needs: every byte costs QR size (issue 4) */
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(vc, "type")), 1);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(b, "type")), "collection");
	return cJSON_GetObjectItem(b, "entry");
}

static void rid_hex(char out[33], unsigned n)
{
	snprintf(out, 33, "%032x", n);
}

static void domestic_standard(void **state)
{
	char rid[33];
	cJSON *o, *claims;
	const cJSON *entries, *patient, *name, *imm;

	(void)state;
	rid_hex(rid, 1);
	o = issue("standard", rid, "131016", "domestic");
	assert_null(cJSON_GetObjectItem(o, "vdsnc"));
	/* nationality is for the overseas page only */
	assert_null(cJSON_GetObjectItemCaseSensitive(o, "nationality"));
	assert_memory_equal(cJSON_GetStringValue(cJSON_GetObjectItem(o, "certificate_id")),
			    "JP-131016-", 10);
	claims = open_shc(o);
	entries = bundle_entries(claims);
	assert_int_equal(cJSON_GetArraySize(entries), 4); /* patient + 3 doses in Chiyoda */
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
				    cJSON_GetArrayItem(entries, 0), "fullUrl")),
			    "resource:0");
	patient = cJSON_GetObjectItem(cJSON_GetArrayItem(entries, 0), "resource");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(patient, "birthDate")),
			    "1985-04-12");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(patient, "name")), 1);
	name = cJSON_GetArrayItem(cJSON_GetObjectItem(patient, "name"), 0);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(name, "family")), "見本");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetArrayItem(
				    cJSON_GetObjectItem(name, "given"), 0)),
			    "花子");
	imm = cJSON_GetObjectItem(cJSON_GetArrayItem(entries, 3), "resource");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(imm, "resourceType")),
			    "Immunization");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(imm, "occurrenceDateTime")),
			    "2022-09-30");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(imm, "lotNumber")),
			    "GK4812");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(
				    cJSON_GetObjectItem(cJSON_GetObjectItem(imm, "vaccineCode"),
							"coding"), 0), "code")),
			    "300");
	assert_null(cJSON_GetObjectItem(imm, "performer"));
	assert_null(cJSON_GetObjectItem(imm, "id"));
	cJSON_Delete(claims);
	cJSON_Delete(o);
}

static void second_municipality_has_its_own_records(void **state)
{
	char rid[33];
	cJSON *o, *claims;
	const cJSON *entries, *imm;

	(void)state;
	rid_hex(rid, 2);
	o = issue("standard", rid, "271004", "domestic");
	claims = open_shc(o);
	entries = bundle_entries(claims);
	assert_int_equal(cJSON_GetArraySize(entries), 2); /* only Osaka's one dose */
	imm = cJSON_GetObjectItem(cJSON_GetArrayItem(entries, 1), "resource");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(imm, "occurrenceDateTime")),
			    "2023-10-12");
	cJSON_Delete(claims);
	cJSON_Delete(o);
}

static void at_most_five_newest_doses(void **state)
{
	static const char *const want[5] = {"2022-01-20", "2022-07-15", "2022-12-01",
					    "2023-06-05", "2023-11-02"};
	char rid[33];
	cJSON *o, *claims;
	const cJSON *entries;

	(void)state;
	rid_hex(rid, 3);
	o = issue("rare_kanji", rid, "131016", "domestic");
	/* one QR at version <= 22, ECC L (certificate-formats.md §1.8) */
	assert_true(strlen(cJSON_GetStringValue(cJSON_GetObjectItem(o, "shc"))) <= 1195);
	claims = open_shc(o);
	print_message("5-dose SHC: %zu JWS chars\n",
		      strlen(cJSON_GetStringValue(cJSON_GetObjectItem(o, "shc"))));
	entries = bundle_entries(claims);
	assert_int_equal(cJSON_GetArraySize(entries), 6);
	for (int i = 0; i < 5; i++) {
		const cJSON *imm = cJSON_GetObjectItem(cJSON_GetArrayItem(entries, i + 1),
						       "resource");
		char url[16];

		snprintf(url, sizeof(url), "resource:%d", i + 1);
		assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
					    cJSON_GetArrayItem(entries, i + 1), "fullUrl")),
				    url);
		assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
					    imm, "occurrenceDateTime")),
				    want[i]);
	}
	cJSON_Delete(claims);
	cJSON_Delete(o);
}

static void overseas_adds_romaji_and_vdsnc(void **state)
{
	char rid[33];
	cJSON *o, *claims;
	const cJSON *entries, *names, *seal, *data, *msg, *ve;

	(void)state;
	rid_hex(rid, 4);
	o = issue("no_ext", rid, "131016", "overseas");
	assert_true(strlen(cJSON_GetStringValue(cJSON_GetObjectItem(o, "shc"))) <= 1195);
	claims = open_shc(o);
	entries = bundle_entries(claims);
	names = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(entries, 0),
							"resource"), "name");
	assert_int_equal(cJSON_GetArraySize(names), 2);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(names, 1),
								     "family")),
			    "MIHON");
	seal = cJSON_GetObjectItem(o, "vdsnc");
	assert_true(refc_vdsnc_verify(seal));
	/* from the passport registration (fixtures), beside the seal, not inside it */
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o,
										  "nationality")),
			    "JPN");
	data = cJSON_GetObjectItem(seal, "data");
	assert_null(cJSON_GetObjectItemCaseSensitive(data, "nationality"));
	assert_null(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItem(data, "msg"),
						     "nationality"));
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
				    cJSON_GetObjectItem(data, "hdr"), "t")),
			    "icao.vacc");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
				    cJSON_GetObjectItem(data, "hdr"), "is")),
			    "JPN");
	msg = cJSON_GetObjectItem(data, "msg");
	assert_int_equal(strlen(cJSON_GetStringValue(cJSON_GetObjectItem(msg, "uvci"))), 12);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
				    cJSON_GetObjectItem(msg, "pid"), "n")),
			    "MIHON KAKUTA");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
				    cJSON_GetObjectItem(msg, "pid"), "i")),
			    "TK1234567");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
				    cJSON_GetObjectItem(msg, "pid"), "dob")),
			    "1988-08-08");
	ve = cJSON_GetObjectItem(msg, "ve");
	assert_int_equal(cJSON_GetArraySize(ve), 2); /* one ve per dose */
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(
				     cJSON_GetArrayItem(ve, 1), "vd"), 0), "seq")->valueint,
			 2);
	/* a tampered seal does not verify */
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(msg, "pid"), "n",
				  cJSON_CreateString("OTHER PERSON"));
	assert_false(refc_vdsnc_verify(seal));
	cJSON_Delete(claims);
	cJSON_Delete(o);
}

static void overseas_nationality_per_resident(void **state)
{
	char rid[33];
	cJSON *o;

	(void)state;
	/* the record's nationality, not a constant "JPN" */
	rid_hex(rid, 18);
	o = issue("foreign", rid, "271004", "overseas");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o,
										  "nationality")),
			    "USA");
	cJSON_Delete(o);
}

static void overseas_needs_registration(void **state)
{
	char rid[33], *body;

	(void)state;
	rid_hex(rid, 5);
	body = request("standard", rid, "131016", "overseas");
	cJSON_Delete(certificate(body, 422, "overseas_not_registered"));
	free(body);
}

static void no_records_and_isolation(void **state)
{
	char rid[33], *body;

	(void)state;
	rid_hex(rid, 6);
	body = request("one_try", rid, "131016", "domestic"); /* nobody has records for her */
	cJSON_Delete(certificate(body, 404, "no_records"));
	free(body);
	/* no_sfi has records in Osaka only: Chiyoda must not find them */
	rid_hex(rid, 7);
	body = request("no_sfi", rid, "131016", "domestic");
	cJSON_Delete(certificate(body, 404, "no_records"));
	free(body);
}

static void not_participating(void **state)
{
	char rid[33], *body;

	(void)state;
	rid_hex(rid, 8);
	body = request("standard", rid, "011002", "domestic");
	cJSON_Delete(certificate(body, 403, "not_participating"));
	free(body);
	rid_hex(rid, 9);
	body = request("standard", rid, "999999", "domestic");
	cJSON_Delete(certificate(body, 403, "not_participating"));
	free(body);
}

static void replay_and_idempotency(void **state)
{
	char rid[33], rid2[33], *body, *body2;
	struct rc_answer a = {0}, b = {0};
	char log_rid[40];

	(void)state;
	rid_hex(rid, 10);
	body = request("standard", rid, "131016", "domestic");
	rc_handle_certificate(&center, KIOSK, body, strlen(body), &a, log_rid);
	assert_int_equal(a.http, 200);
	assert_string_equal(log_rid, rid);
	/* same request id: the very same answer, not a second certificate */
	rc_handle_certificate(&center, KIOSK, body, strlen(body), &b, log_rid);
	assert_int_equal(b.http, 200);
	assert_string_equal(a.body, b.body);
	rc_answer_free(&b);
	/* same challenge, new request id: the challenge is spent */
	rid_hex(rid2, 11);
	body2 = strdup(body);
	memcpy(strstr(body2, rid), rid2, 32);
	cJSON_Delete(certificate(body2, 409, "challenge_expired"));
	rc_answer_free(&a);
	free(body);
	free(body2);
}

static void challenge_bound_to_kiosk(void **state)
{
	struct refc_evidence *e = malloc(sizeof(*e));
	char text[64], rid[33], *body;
	uint8_t bytes[32];
	struct rc_answer a = {0};
	char log_rid[40];

	(void)state;
	challenge("KIOSK-SIM-0002", text, bytes);
	assert_int_equal(refc_card_evidence("standard", bytes, sizeof(bytes), e), 0);
	rid_hex(rid, 12);
	body = refc_request_json(e, rid, KIOSK, "131016", "domestic", text);
	cJSON_Delete(certificate(body, 409, "challenge_expired"));
	free(body);
	/* kiosk_id must be the client certificate's CN */
	body = refc_request_json(e, rid, "KIOSK-SIM-0002", "131016", "domestic", text);
	rc_handle_certificate(&center, KIOSK, body, strlen(body), &a, log_rid);
	assert_int_equal(a.http, 400);
	rc_answer_free(&a);
	free(body);
	free(e);
}

static void card_invalid_and_presence_failed(void **state)
{
	struct refc_evidence *e = malloc(sizeof(*e));
	char text[64], rid[33], *body;
	uint8_t bytes[32];

	(void)state;
	challenge(KIOSK, text, bytes);
	assert_int_equal(refc_card_evidence("standard", bytes, sizeof(bytes), e), 0);
	e->ef[1][e->len[1] - 3] ^= 1; /* basic 4 changed */
	rid_hex(rid, 13);
	body = refc_request_json(e, rid, KIOSK, "131016", "domestic", text);
	cJSON_Delete(certificate(body, 422, "card_invalid"));
	free(body);

	challenge(KIOSK, text, bytes);
	assert_int_equal(refc_card_evidence("standard", bytes, sizeof(bytes), e), 0);
	e->sig[7] ^= 1;
	rid_hex(rid, 14);
	body = refc_request_json(e, rid, KIOSK, "131016", "domestic", text);
	cJSON_Delete(certificate(body, 422, "presence_failed"));
	free(body);
	free(e);
}

static void fault_rogue_kid_and_other_person(void **state)
{
	char rid[33], key[4200], jwks[4200];
	cJSON *o, *claims;
	const cJSON *patient;

	(void)state;
	assert_int_equal(rc_faults_set_arg(&center.faults, "rogue_kid=1"), 0);
	rid_hex(rid, 15);
	o = issue("standard", rid, "131016", "domestic");
	snprintf(key, sizeof(key), "%s/shc-issuer.key.pem", pki);
	snprintf(jwks, sizeof(jwks), "%s/shc-jwks.json", pki);
	assert_null(refc_shc_open(cJSON_GetStringValue(cJSON_GetObjectItem(o, "shc")), key,
				  refc_jwks_kid(jwks)));
	snprintf(key, sizeof(key), "%s/shc-rogue.key.pem", pki);
	snprintf(jwks, sizeof(jwks), "%s/shc-rogue-jwks.json", pki);
	claims = refc_shc_open(cJSON_GetStringValue(cJSON_GetObjectItem(o, "shc")), key,
			       refc_jwks_kid(jwks));
	assert_non_null(claims); /* signed by the rogue key, named by its kid */
	cJSON_Delete(claims);
	cJSON_Delete(o);

	assert_int_equal(rc_faults_set_arg(&center.faults, "other_person=1"), 0);
	rid_hex(rid, 16);
	o = issue("standard", rid, "131016", "domestic");
	claims = open_shc(o);
	patient = cJSON_GetObjectItem(cJSON_GetArrayItem(bundle_entries(claims), 0), "resource");
	assert_string_not_equal(cJSON_GetStringValue(cJSON_GetObjectItem(patient, "birthDate")),
				"1985-04-12");
	cJSON_Delete(claims);
	cJSON_Delete(o);
	/* both were one-shot */
	rid_hex(rid, 17);
	o = issue("standard", rid, "131016", "domestic");
	claims = open_shc(o);
	cJSON_Delete(claims);
	cJSON_Delete(o);
}

static void municipalities_list(void **state)
{
	struct rc_answer a = {0};
	cJSON *o;
	const cJSON *list;

	(void)state;
	rc_handle_municipalities(&center, &a);
	assert_int_equal(a.http, 200);
	o = cJSON_Parse(a.body);
	assert_int_equal(cJSON_GetObjectItem(o, "version")->valueint, 1);
	list = cJSON_GetObjectItem(o, "municipalities");
	assert_int_equal(cJSON_GetArraySize(list), 2); /* the non-participant is not offered */
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0),
								     "name_ja")),
			    "千代田区");
	cJSON_Delete(o);
	rc_answer_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(municipalities_list),
		cmocka_unit_test(domestic_standard),
		cmocka_unit_test(second_municipality_has_its_own_records),
		cmocka_unit_test(at_most_five_newest_doses),
		cmocka_unit_test(overseas_adds_romaji_and_vdsnc),
		cmocka_unit_test(overseas_nationality_per_resident),
		cmocka_unit_test(overseas_needs_registration),
		cmocka_unit_test(no_records_and_isolation),
		cmocka_unit_test(not_participating),
		cmocka_unit_test(replay_and_idempotency),
		cmocka_unit_test(challenge_bound_to_kiosk),
		cmocka_unit_test(card_invalid_and_presence_failed),
		cmocka_unit_test(fault_rogue_kid_and_other_person),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
