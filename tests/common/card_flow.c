/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "card_flow.h"
#include "hal/reader.h"
#include "kiosk/err.h"
#include "simctl.h"

static long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000L + ts.tv_nsec / 1000L;
}

static int copy_field(cJSON *j, const char *key, char *dst, size_t cap)
{
	cJSON *v = cJSON_GetObjectItem(j, key);

	if (!cJSON_IsString(v) || strlen(v->valuestring) >= cap) {
		return -1;
	}
	memcpy(dst, v->valuestring, strlen(v->valuestring) + 1);
	return 0;
}

int persona_load(const char *name, struct persona *p)
{
	char path[1024];
	char *text = NULL;
	char sex[2] = "";
	cJSON *j = NULL;
	long len;
	FILE *f;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/%s.json", getenv("KIOSK_PERSONAS"), name);
	f = fopen(path, "r");
	if (f == NULL) {
		return -1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) != 0) {
		goto out;
	}
	text = calloc(1, (size_t)len + 1);
	if (text == NULL || fread(text, 1, (size_t)len, f) != (size_t)len) {
		goto out;
	}
	j = cJSON_Parse(text);
	if (j == NULL) {
		goto out;
	}
	memset(p, 0, sizeof(*p));
	if (copy_field(j, "my_number", p->my_number, sizeof(p->my_number)) != 0 ||
	    copy_field(j, "name", p->name, sizeof(p->name)) != 0 ||
	    copy_field(j, "address", p->address, sizeof(p->address)) != 0 ||
	    copy_field(j, "birth_date", p->birth_date, sizeof(p->birth_date)) != 0 ||
	    copy_field(j, "sex", sex, sizeof(sex)) != 0 ||
	    copy_field(j, "pin", p->pin, sizeof(p->pin)) != 0 ||
	    !cJSON_IsNumber(cJSON_GetObjectItem(j, "tries_left"))) {
		goto out;
	}
	p->sex = sex[0];
	p->tries = cJSON_GetObjectItem(j, "tries_left")->valueint;
	rc = 0;
out:
	cJSON_Delete(j);
	free(text);
	fclose(f);
	return rc;
}

static bool personal_matches(const struct mnc_personal *got, const struct persona *want)
{
	return strcmp(got->my_number, want->my_number) == 0 && strcmp(got->name, want->name) == 0 &&
	       strcmp(got->address, want->address) == 0 &&
	       strcmp(got->birth_date, want->birth_date) == 0 && got->sex == want->sex;
}

static int card_phase(struct mnc_session *s, const struct read_opts *ro,
		      struct kiosk_vault *vault, struct outcome *o)
{
	static const uint8_t nonce[32] = "kiosk-test-nonce-0123456789abcd";
	size_t pin_len;
	char *pin;
	int tries = -1;
	int rc;

	rc = mnc_select_ap(s);
	if (rc == 0) {
		rc = mnc_read_certificate(s);
	}
	if (rc == 0) {
		rc = mnc_query_tries(s, &tries);
	}
	if (rc != 0 || ro->pin == NULL) {
		return rc;
	}
	/* The PIN goes through the vault, as the kiosk's keypad puts it there. */
	pin_len = strlen(ro->pin);
	pin = kiosk_vault_alloc(vault, pin_len + 1);
	if (pin == NULL) {
		return KIOSK_ERR_VAULT;
	}
	memcpy(pin, ro->pin, pin_len);
	rc = mnc_verify_pin(s, pin, pin_len, &tries);
	if (rc == 0) {
		rc = mnc_read_personal(s);
	}
	if (rc == 0) {
		rc = mnc_verify_chain(s);
	}
	if (rc == 0) {
		rc = mnc_parse_personal(s);
	}
	if (rc == 0 && ro->expect != NULL) {
		o->data_matches = personal_matches(s->personal, ro->expect);
	}
	if (rc == 0 && ro->presence) {
		rc = ro->nonce != NULL ? mnc_prove_presence(s, ro->nonce, ro->nonce_len)
				       : mnc_prove_presence(s, nonce, sizeof(nonce));
	}
	if (rc == 0 && ro->after_card != NULL) {
		rc = ro->after_card(s, ro->after_card_arg);
	}
	return rc;
}

void card_flow_read(const struct read_opts *ro, struct kiosk_vault *vault,
		    const struct mnc_anchors *anchors, struct outcome *o)
{
	struct hal_reader r;
	struct hal_reader_config cfg = {
		.name_pattern = ro->reader_pattern ? ro->reader_pattern : "Virtual PCD",
		.apdu_timeout_ms = ro->apdu_timeout_ms ? ro->apdu_timeout_ms : 5000,
		.sim_card = ro->sim_card,
	};
	struct mnc_options opt = { .presence_proof = ro->presence, .allow_sfi = true,
				   .allow_extended = !ro->no_extended };
	struct mnc_session s;
	bool have_session = false;
	long t0 = now_us();
	int rc;

	memset(o, 0, sizeof(*o));
	o->tries_before = o->tries_after = -1;
	hal_reader_init(&r);
	rc = hal_reader_open(&r, hal_reader_backend(ro->backend ? ro->backend : "pcsc"), &cfg);
	if (rc == 0) {
		rc = hal_reader_wait_card(&r, true, ro->wait_ms ? ro->wait_ms : 5000);
	}
	if (rc == 0) {
		rc = hal_reader_connect(&r);
	}
	if (rc == 0) {
		rc = mnc_session_init(&s, &r, vault, anchors, ro->cache, &opt);
		have_session = rc == 0;
	}
	if (have_session) {
		rc = card_phase(&s, ro, vault, o);
		o->tries_before = s.tries_before;
		o->tries_after = s.tries_after;
		o->chain = s.chain;
		o->presence = s.presence;
		o->sfi = s.sfi;
		o->extended = s.extended;
		o->cert_cached = s.cert_from_cache;
		o->ef0004_len = s.raw != NULL ? s.raw->ef0004_len : 0;
		mnc_session_end(&s);
	}
	o->apdus = r.apdu_count;
	o->rc = rc;
	/* Every exit path ends the same way: unpower, wipe. */
	hal_reader_close(&r);
	kiosk_vault_wipe(vault);
	o->vault_wiped = kiosk_vault_is_wiped(vault);
	o->us = now_us() - t0;
}

int card_swap(const char *insert_cmd, unsigned wait_ms)
{
	struct hal_reader r;
	struct hal_reader_config cfg = { .name_pattern = "Virtual PCD" };
	char reply[256];
	int rc;

	hal_reader_init(&r);
	rc = hal_reader_open(&r, hal_reader_backend("pcsc"), &cfg);
	/* The card may already be out (a removal fault fired): that is fine. */
	(void)simctl_cmd(NULL, "remove", reply, sizeof(reply));
	if (rc == 0) {
		rc = hal_reader_wait_card(&r, false, wait_ms);
	}
	if (rc == 0 && simctl_cmd(NULL, insert_cmd, reply, sizeof(reply)) != 0) {
		rc = -1;
	}
	if (rc == 0) {
		rc = hal_reader_wait_card(&r, true, wait_ms);
	}
	hal_reader_close(&r);
	return rc;
}
