/* SPDX-License-Identifier: MIT */
/*
 * The endpoints' logic, without HTTP: what /v1/municipalities,
 * /v1/challenges and /v1/certificates answer (docs/center-protocol.md).
 * The certificate path never trusts the kiosk: it re-verifies the card
 * evidence, spends the challenge, and reads only the named municipality's
 * records. Personal data lives on the stack for one request and is wiped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/platform_util.h>

#include "center.h"
#include "kiosk/err.h"

struct err_row {
	const char *code;
	int http;
	const char *ja;
	const char *en;
};

static const struct err_row ERRORS[] = {
	{"bad_request", 400, "要求の形式が正しくありません。", "The request is malformed."},
	{"unauthorized", 403, "端末を認証できません。", "The kiosk is not authenticated."},
	{"not_found", 404, "そのような窓口はありません。", "No such endpoint."},
	{"not_participating", 403, "この市区町村はコンビニ交付に参加していません。",
	 "This municipality does not issue certificates at kiosks."},
	{"no_records", 404, "この市区町村に接種記録がありません。",
	 "No vaccination record in this municipality."},
	{"challenge_expired", 409, "時間切れです。最初からやり直してください。",
	 "The session expired. Please start again."},
	{"card_invalid", 422, "カードの情報を確認できませんでした。",
	 "The card data could not be verified."},
	{"presence_failed", 422, "カードを確認できませんでした。", "The card could not be confirmed."},
	{"overseas_not_registered", 422,
	 "海外用の証明書を発行するには、先に旅券の登録が必要です。",
	 "An overseas certificate needs a passport registration first."},
	{"busy", 503, "混み合っています。しばらくしてからお試しください。",
	 "The service is busy. Please try again later."},
	{"internal", 500, "センターで障害が発生しました。", "The certificate center had a fault."},
};

void rc_answer_free(struct rc_answer *a)
{
	if (a != NULL && a->body != NULL) {
		mbedtls_platform_zeroize(a->body, strlen(a->body));
		free(a->body);
		a->body = NULL;
	}
}

void rc_answer_error(struct rc_answer *a, const char *code)
{
	const struct err_row *row = &ERRORS[sizeof(ERRORS) / sizeof(ERRORS[0]) - 1];
	cJSON *o = cJSON_CreateObject();

	for (size_t i = 0; i < sizeof(ERRORS) / sizeof(ERRORS[0]); i++) {
		if (strcmp(ERRORS[i].code, code) == 0) {
			row = &ERRORS[i];
		}
	}
	cJSON_AddStringToObject(o, "status", "error");
	cJSON_AddStringToObject(o, "error", row->code);
	cJSON_AddStringToObject(o, "message_ja", row->ja);
	cJSON_AddStringToObject(o, "message_en", row->en);
	a->http = row->http;
	a->body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
}

int rc_center_open(struct rc_center *c, const char *pki, const char *anchors, const char *data,
		   const char *iss)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	rc_faults_init(&c->faults);
	snprintf(c->iss, sizeof(c->iss), "%s", iss);
	if (rc_records_open(&c->records, data) != 0) {
		fprintf(stderr, "kiosk-center: cannot load the fixtures from %s\n", data);
		return -1;
	}
	if (mnc_anchors_load_dir(&c->anchors, anchors, false) != 0) {
		fprintf(stderr, "kiosk-center: cannot load the card anchors from %s\n", anchors);
		return -1;
	}
	if (rc_keys_load(&c->keys, pki) != 0) {
		return -1;
	}
	c->challenges = rc_challenges_new(4096);
	c->idem = rc_idem_new();
	return c->challenges != NULL && c->idem != NULL ? 0 : -1;
}

void rc_center_close(struct rc_center *c)
{
	rc_records_free(c->records);
	rc_challenges_free(c->challenges);
	rc_idem_free(c->idem);
	mnc_anchors_free(c->anchors);
	rc_keys_free(&c->keys);
	pthread_mutex_destroy(&c->lock);
	pthread_mutex_destroy(&c->faults.lock);
	memset(c, 0, sizeof(*c));
}

void rc_handle_municipalities(struct rc_center *c, struct rc_answer *a)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *list;

	cJSON_AddNumberToObject(o, "version", 1);
	list = cJSON_AddArrayToObject(o, "municipalities");
	for (size_t i = 0; i < rc_records_count(c->records); i++) {
		const struct rc_municipality *m = rc_records_at(c->records, i);
		cJSON *e;

		if (!m->participating) {
			continue;
		}
		e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "code", m->code);
		cJSON_AddStringToObject(e, "name_ja", m->name_ja);
		cJSON_AddStringToObject(e, "name_en", m->name_en);
		cJSON_AddBoolToObject(e, "overseas", m->overseas);
		cJSON_AddItemToArray(list, e);
	}
	a->http = 200;
	a->body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
}

void rc_handle_challenge(struct rc_center *c, const char *client_cn, const char *body,
			 size_t len, struct rc_answer *a)
{
	char kiosk[RC_KIOSK_ID_MAX];
	uint8_t nonce[RC_CHALLENGE_LEN];
	char text[64];
	cJSON *o;
	int rc;

	if (rc_challenge_request_parse(body, len, kiosk, sizeof(kiosk)) != 0 ||
	    strcmp(kiosk, client_cn) != 0) {
		rc_answer_error(a, "bad_request");
		return;
	}
	pthread_mutex_lock(&c->lock);
	rc = rc_random(&c->keys, nonce, sizeof(nonce));
	if (rc == 0) {
		rc = rc_challenges_add(c->challenges, kiosk, nonce, rc_now_ms(),
				       RC_CHALLENGE_TTL_MS);
	}
	pthread_mutex_unlock(&c->lock);
	if (rc != 0) {
		rc_answer_error(a, "busy");
		return;
	}
	rc_b64url_encode(nonce, sizeof(nonce), false, text, sizeof(text));
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "challenge", text);
	cJSON_AddNumberToObject(o, "expires_in", RC_CHALLENGE_TTL_MS / 1000);
	a->http = 201;
	a->body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
}

static void holder_from_card(const struct mnc_personal *p, struct rc_holder *h)
{
	size_t fl = p->family_len < sizeof(h->family) ? p->family_len : sizeof(h->family) - 1;

	memcpy(h->family, p->name, fl);
	h->family[fl] = '\0';
	if (p->given_off > 0) {
		snprintf(h->given, sizeof(h->given), "%s", p->name + p->given_off);
	}
	snprintf(h->birth_date, sizeof(h->birth_date), "%.4s-%.2s-%.2s", p->birth_date,
		 p->birth_date + 4, p->birth_date + 6);
}

/* The fault other_person: somebody else's name and birth date (invented). */
static void holder_other(struct rc_holder *h)
{
	snprintf(h->family, sizeof(h->family), "%s", "別人");
	snprintf(h->given, sizeof(h->given), "%s", "太郎");
	snprintf(h->birth_date, sizeof(h->birth_date), "%s", "1960-01-01");
}

static void make_uvci(struct rc_center *c, char out[13])
{
	static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	uint8_t r[10];

	rc_random(&c->keys, r, sizeof(r));
	out[0] = 'J';
	out[1] = 'P';
	for (size_t i = 0; i < sizeof(r); i++) {
		out[2 + i] = alnum[r[i] % 36];
	}
	out[12] = '\0';
}

/* ISO 3166-1 alpha-3 as the protocol sends it; a record without one (or with
 * junk) is answered without the field rather than with a wrong nationality. */
static bool alpha3(const char *s)
{
	for (size_t i = 0; i < 3; i++) {
		if (s[i] < 'A' || s[i] > 'Z') {
			return false;
		}
	}
	return s[3] == '\0';
}

/* Everything after the request parsed; called with c->lock held. @err names the
 * protocol error, or NULL on success with a->body set. */
static const char *issue(struct rc_center *c, const struct rc_cert_request *q,
			 struct rc_answer *a)
{
	const struct rc_municipality *m;
	struct mnc_evidence ev = {
		.ef0001 = q->ef0001, .ef0001_len = q->ef0001_len,
		.ef0002 = q->ef0002, .ef0002_len = q->ef0002_len,
		.ef0003 = q->ef0003, .ef0003_len = q->ef0003_len,
		.ef0004 = q->ef0004, .ef0004_len = q->ef0004_len,
		.ef0007 = q->ef0007, .ef0007_len = q->ef0007_len,
		.challenge = q->challenge, .challenge_len = sizeof(q->challenge),
		.challenge_sig = q->signature, .challenge_sig_len = sizeof(q->signature),
	};
	struct mnc_personal *p = NULL;
	struct rc_resident *res = NULL;
	struct rc_holder *h = NULL;
	char *shc = NULL;
	char cert_id[32], issued[32], uvci[13];
	const char *err = "internal";
	cJSON *o = NULL;
	time_t now = time(NULL);
	struct tm tm;
	int rc;

	if (rc_challenges_take(c->challenges, q->kiosk_id, q->challenge, sizeof(q->challenge),
			       rc_now_ms()) != 0) {
		return "challenge_expired";
	}
	p = calloc(1, sizeof(*p));
	res = calloc(1, sizeof(*res));
	h = calloc(1, sizeof(*h));
	if (p == NULL || res == NULL || h == NULL) {
		goto out;
	}
	rc = mnc_verify_evidence(c->anchors, &ev, NULL, p);
	if (rc == KIOSK_ERR_PRESENCE) {
		err = "presence_failed";
		goto out;
	}
	if (rc != 0) {
		err = "card_invalid";
		goto out;
	}
	m = rc_records_find(c->records, q->municipality);
	if (m == NULL || !m->participating || (q->overseas && !m->overseas)) {
		err = "not_participating";
		goto out;
	}
	rc = rc_records_lookup(c->records, m->code, p->my_number, res);
	if (rc < 0) {
		goto out;
	}
	if (rc == 0) {
		err = "no_records";
		goto out;
	}
	if (q->overseas && !res->overseas) {
		err = "overseas_not_registered";
		goto out;
	}
	if (rc_faults_take(&c->faults, RC_FAULT_OTHER_PERSON)) {
		holder_other(h);
	} else {
		holder_from_card(p, h);
	}
	if (rc_shc_build(&c->keys, rc_faults_take(&c->faults, RC_FAULT_ROGUE_KID), c->iss,
			 (int64_t)now, h, q->overseas ? res->romaji : NULL, res, &shc) != 0) {
		goto out;
	}
	c->serial++;
	snprintf(cert_id, sizeof(cert_id), "JP-%s-%06lu", m->code, c->serial % 1000000);
	gmtime_r(&now, &tm);
	strftime(issued, sizeof(issued), "%Y-%m-%dT%H:%M:%SZ", &tm);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "status", "issued");
	cJSON_AddStringToObject(o, "certificate_id", cert_id);
	cJSON_AddStringToObject(o, "issued_at", issued);
	cJSON_AddStringToObject(o, "municipality", m->code);
	cJSON_AddStringToObject(o, "type", q->overseas ? "overseas" : "domestic");
	cJSON_AddStringToObject(o, "shc", shc);
	if (q->overseas) {
		cJSON *seal;

		make_uvci(c, uvci);
		seal = rc_vdsnc_build(&c->keys, uvci, h, res);
		if (seal == NULL) {
			goto out;
		}
		cJSON_AddItemToObject(o, "vdsnc", seal);
		/* Not in the seal (VDS-NC v1 has no nationality): the municipality's
		 * passport registration, vouched for by this mutual-TLS answer only. */
		if (alpha3(res->nationality)) {
			cJSON_AddStringToObject(o, "nationality", res->nationality);
		}
	}
	a->http = 200;
	a->body = cJSON_PrintUnformatted(o);
	err = a->body != NULL ? NULL : "internal";
out:
	rc_json_wipe_delete(o);
	if (shc != NULL) {
		mbedtls_platform_zeroize(shc, strlen(shc));
		free(shc);
	}
	if (p != NULL) {
		mbedtls_platform_zeroize(p, sizeof(*p));
	}
	if (res != NULL) {
		mbedtls_platform_zeroize(res, sizeof(*res));
	}
	if (h != NULL) {
		mbedtls_platform_zeroize(h, sizeof(*h));
	}
	free(p);
	free(res);
	free(h);
	return err;
}

void rc_handle_certificate(struct rc_center *c, const char *client_cn, const char *body,
			   size_t len, struct rc_answer *a, char *rid_out)
{
	struct rc_cert_request *q = calloc(1, sizeof(*q));
	const char *err;
	char *stored;
	int http = 0;

	strcpy(rid_out, "-");
	a->body = NULL;
	if (q == NULL) {
		rc_answer_error(a, "busy");
		return;
	}
	if (rc_request_parse(body, len, q) != 0 || strcmp(q->kiosk_id, client_cn) != 0) {
		rc_answer_error(a, "bad_request");
		goto out;
	}
	memcpy(rid_out, q->request_id, RC_REQUEST_ID_LEN + 1);
	pthread_mutex_lock(&c->lock);
	stored = rc_idem_get(c->idem, q->kiosk_id, q->request_id, rc_now_ms(), &http);
	if (stored != NULL) {
		a->http = http;
		a->body = stored;
	} else if (rc_idem_count(c->idem) >= RC_IDEM_MAX) {
		/* an answer that could not be kept would break the retry promise */
		rc_answer_error(a, "busy");
	} else {
		err = issue(c, q, a);
		if (err != NULL) {
			rc_answer_error(a, err);
		}
		/* A retry gets the same answer; a fault of ours may go away. */
		if (a->body != NULL && a->http < 500) {
			rc_idem_put(c->idem, q->kiosk_id, q->request_id, a->http, a->body,
				    rc_now_ms());
		}
	}
	pthread_mutex_unlock(&c->lock);
out:
	mbedtls_platform_zeroize(q, sizeof(*q));
	free(q);
}
