/* SPDX-License-Identifier: MIT */
/*
 * Request bodies, checked before anything is believed: types, lengths,
 * alphabets. The card files are personal data; @out is wiped on failure and
 * by the caller after use.
 */
#include <string.h>

#include <mbedtls/platform_util.h>

#include "center.h"

static const char *str_field(const cJSON *o, const char *k, size_t max)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!cJSON_IsString(v) || v->valuestring == NULL || strlen(v->valuestring) > max) {
		return NULL;
	}
	return v->valuestring;
}

static bool kiosk_id_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n >= RC_KIOSK_ID_MAX) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.')) {
			return false;
		}
	}
	return true;
}

static bool hex_ok(const char *s, size_t n)
{
	if (s == NULL || strlen(s) != n) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
			return false;
		}
	}
	return true;
}

static cJSON *parse(const char *body, size_t len)
{
	if (body == NULL || len == 0 || len > RC_BODY_MAX || memchr(body, '\0', len) != NULL) {
		return NULL;
	}
	return cJSON_ParseWithLength(body, len);
}

int rc_challenge_request_parse(const char *body, size_t len, char *kiosk, size_t cap)
{
	cJSON *root = parse(body, len);
	const char *k = str_field(root, "kiosk_id", RC_KIOSK_ID_MAX);
	int rc = -1;

	if (cJSON_IsObject(root) && kiosk_id_ok(k) && strlen(k) < cap) {
		memcpy(kiosk, k, strlen(k) + 1);
		rc = 0;
	}
	cJSON_Delete(root);
	return rc;
}

static int ef(const cJSON *card, const char *name, uint8_t *dst, size_t cap, size_t *len)
{
	const char *s = str_field(card, name, (cap / 3 + 1) * 4);

	if (s == NULL || rc_b64_decode(s, dst, cap, len) != 0 || *len == 0) {
		return -1;
	}
	return 0;
}

int rc_request_parse(const char *body, size_t len, struct rc_cert_request *out)
{
	cJSON *root = parse(body, len);
	const cJSON *card;
	const char *s;
	size_t n = 0;
	int rc = -1;

	mbedtls_platform_zeroize(out, sizeof(*out));
	if (!cJSON_IsObject(root)) {
		goto out;
	}
	s = str_field(root, "request_id", RC_REQUEST_ID_LEN);
	if (!hex_ok(s, RC_REQUEST_ID_LEN)) {
		goto out;
	}
	memcpy(out->request_id, s, RC_REQUEST_ID_LEN + 1);
	s = str_field(root, "kiosk_id", RC_KIOSK_ID_MAX);
	if (!kiosk_id_ok(s)) {
		goto out;
	}
	memcpy(out->kiosk_id, s, strlen(s) + 1);
	s = str_field(root, "municipality", 6);
	if (s == NULL || strlen(s) != 6 || strspn(s, "0123456789") != 6) {
		goto out;
	}
	memcpy(out->municipality, s, 7);
	s = str_field(root, "type", 16);
	if (s != NULL && strcmp(s, "domestic") == 0) {
		out->overseas = false;
	} else if (s != NULL && strcmp(s, "overseas") == 0) {
		out->overseas = true;
	} else {
		goto out;
	}
	card = cJSON_GetObjectItemCaseSensitive(root, "card");
	if (!cJSON_IsObject(card) ||
	    ef(card, "ef0001", out->ef0001, sizeof(out->ef0001), &out->ef0001_len) != 0 ||
	    ef(card, "ef0002", out->ef0002, sizeof(out->ef0002), &out->ef0002_len) != 0 ||
	    ef(card, "ef0003", out->ef0003, sizeof(out->ef0003), &out->ef0003_len) != 0 ||
	    ef(card, "ef0004", out->ef0004, sizeof(out->ef0004), &out->ef0004_len) != 0 ||
	    ef(card, "ef0007", out->ef0007, sizeof(out->ef0007), &out->ef0007_len) != 0) {
		goto out;
	}
	s = str_field(root, "challenge", 64);
	if (s == NULL || rc_b64url_decode(s, out->challenge, sizeof(out->challenge), &n) != 0 ||
	    n != RC_CHALLENGE_LEN) {
		goto out;
	}
	s = str_field(root, "challenge_signature", 400);
	if (s == NULL || rc_b64_decode(s, out->signature, sizeof(out->signature), &n) != 0 ||
	    n != MNC_RSA_BYTES) {
		goto out;
	}
	rc = 0;
out:
	/* cJSON holds copies of the base64 card files: wipe before freeing. */
	rc_json_wipe_delete(root);
	if (rc != 0) {
		mbedtls_platform_zeroize(out, sizeof(*out));
	}
	return rc;
}
