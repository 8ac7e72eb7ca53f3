/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <mbedtls/base64.h>
#include <mbedtls/sha256.h>

#include "cardsim/cardsim.h"
#include "mnc_apdu.h"
#include "refcenter_card.h"

static const uint16_t FIDS[5] = {0x0001, 0x0002, 0x0003, 0x0004, 0x0007};

static int persona_pin(const char *path, char pin[8])
{
	FILE *f = fopen(path, "rb");
	char buf[8192];
	size_t n;
	cJSON *root;
	const cJSON *p;
	int rc = -1;

	if (f == NULL) {
		return -1;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	root = cJSON_Parse(buf);
	p = cJSON_GetObjectItemCaseSensitive(root, "pin");
	if (cJSON_IsString(p) && strlen(p->valuestring) < 8) {
		strcpy(pin, p->valuestring);
		rc = 0;
	}
	cJSON_Delete(root);
	return rc;
}

static int xfer(struct cardsim_card *c, const uint8_t *cmd, size_t clen, uint8_t *resp,
		size_t *rlen)
{
	if (clen == 0 || cardsim_process(c, cmd, clen, resp, 4096, rlen) != CARDSIM_ANSWER ||
	    *rlen < 2 || resp[*rlen - 2] != 0x90 || resp[*rlen - 1] != 0x00) {
		return -1;
	}
	*rlen -= 2;
	return 0;
}

struct cardsim_card *refc_card_open(const char *persona, struct refc_evidence *out)
{
	char path[4096], err[256] = "", pin[8];
	struct cardsim_card *c;
	uint8_t cmd[512], resp[4096];
	size_t rlen = 0;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "%s/%s.json", getenv("KIOSK_PERSONAS"), persona);
	if (persona_pin(path, pin) != 0) {
		return NULL;
	}
	c = cardsim_card_load(path, getenv("KIOSK_TEST_PKI"), err, sizeof(err));
	if (c == NULL) {
		fprintf(stderr, "load %s: %s\n", persona, err);
		return NULL;
	}
	for (size_t i = 0; i < 5; i++) {
		size_t n = 0;
		const uint8_t *p = cardsim_ef(c, FIDS[i], &n);

		if (p == NULL || n > sizeof(out->ef[i])) {
			goto fail;
		}
		memcpy(out->ef[i], p, n);
		out->len[i] = n;
	}
	cardsim_power(c, CARDSIM_POWER_ON);
	if (xfer(c, cmd, mnc_apdu_select_ap(cmd, sizeof(cmd)), resp, &rlen) != 0 ||
	    xfer(c, cmd, mnc_apdu_select_ef(cmd, sizeof(cmd), MNC_FID_PIN), resp, &rlen) != 0 ||
	    xfer(c, cmd, mnc_apdu_verify(cmd, sizeof(cmd), 0x80, pin, strlen(pin)), resp,
		 &rlen) != 0) {
		goto fail;
	}
	return c;
fail:
	cardsim_card_free(c);
	return NULL;
}

int refc_card_sign(struct cardsim_card *c, const uint8_t *chal, size_t chal_len,
		   struct refc_evidence *out)
{
	uint8_t cmd[512], resp[4096], digest[32];
	size_t rlen = 0;

	mbedtls_sha256_ret(chal, chal_len, digest, 0);
	if (xfer(c, cmd, mnc_apdu_sign(cmd, sizeof(cmd), digest), resp, &rlen) != 0 ||
	    rlen != MNC_RSA_BYTES) {
		return -1;
	}
	memcpy(out->sig, resp, rlen);
	out->sig_len = rlen;
	return 0;
}

int refc_card_evidence(const char *persona, const uint8_t *chal, size_t chal_len,
		       struct refc_evidence *out)
{
	struct cardsim_card *c = refc_card_open(persona, out);
	int rc;

	if (c == NULL) {
		return -1;
	}
	rc = refc_card_sign(c, chal, chal_len, out);
	cardsim_card_free(c);
	return rc;
}

void refc_evidence_view(const struct refc_evidence *e, const uint8_t *chal, size_t chal_len,
			struct mnc_evidence *ev)
{
	ev->ef0001 = e->ef[0];
	ev->ef0001_len = e->len[0];
	ev->ef0002 = e->ef[1];
	ev->ef0002_len = e->len[1];
	ev->ef0003 = e->ef[2];
	ev->ef0003_len = e->len[2];
	ev->ef0004 = e->ef[3];
	ev->ef0004_len = e->len[3];
	ev->ef0007 = e->ef[4];
	ev->ef0007_len = e->len[4];
	ev->challenge = chal;
	ev->challenge_len = chal_len;
	ev->challenge_sig = e->sig;
	ev->challenge_sig_len = e->sig_len;
}

static void add_b64(cJSON *o, const char *k, const uint8_t *d, size_t n)
{
	char buf[4096];
	size_t olen = 0;

	mbedtls_base64_encode((unsigned char *)buf, sizeof(buf), &olen, d, n);
	buf[olen] = '\0';
	cJSON_AddStringToObject(o, k, buf);
}

char *refc_request_json(const struct refc_evidence *e, const char *rid, const char *kiosk,
			const char *municipality, const char *type, const char *challenge_text)
{
	static const char *const names[5] = {"ef0001", "ef0002", "ef0003", "ef0004", "ef0007"};
	cJSON *o = cJSON_CreateObject();
	cJSON *card;
	char *s;

	cJSON_AddStringToObject(o, "request_id", rid);
	cJSON_AddStringToObject(o, "kiosk_id", kiosk);
	cJSON_AddStringToObject(o, "municipality", municipality);
	cJSON_AddStringToObject(o, "type", type);
	card = cJSON_AddObjectToObject(o, "card");
	for (size_t i = 0; i < 5; i++) {
		add_b64(card, names[i], e->ef[i], e->len[i]);
	}
	cJSON_AddStringToObject(o, "challenge", challenge_text);
	add_b64(o, "challenge_signature", e->sig, e->sig_len);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}
