/* SPDX-License-Identifier: MIT */
/*
 * The card's state machine: SELECT, READ BINARY, VERIFY, 80 2A, GET RESPONSE,
 * the security status and retry counter, power and presence, the faults that act
 * per APDU, and the APDU log (headers and SW only: command data may be a PIN).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/platform_util.h>

#include "card_internal.h"
#include "kiosk/err.h"

#define SW_OK 0x9000
#define SW_WRONG_LENGTH 0x6700
#define SW_CHANNEL_NOT_SUPPORTED 0x6881
#define SW_INCOMPATIBLE_FILE 0x6981
#define SW_SECURITY_NOT_SATISFIED 0x6982
#define SW_AUTH_BLOCKED 0x6984
#define SW_CONDITIONS_NOT_SATISFIED 0x6985
#define SW_NO_CURRENT_EF 0x6986
#define SW_FILE_NOT_FOUND 0x6A82
#define SW_WRONG_P1P2 0x6A86
#define SW_REF_NOT_FOUND 0x6A88
#define SW_OFFSET_OUTSIDE 0x6B00
#define SW_INS_NOT_SUPPORTED 0x6D00
#define SW_CLA_NOT_SUPPORTED 0x6E00
#define SW_NO_PRECISE_DIAGNOSIS 0x6F00
#define SW_RETRIES(n) ((uint16_t)(0x63C0 | ((unsigned)(n) & 0x0F)))

#define INS_SELECT 0xA4
#define INS_READ_BINARY 0xB0
#define INS_VERIFY 0x20
#define INS_GET_RESPONSE 0xC0
#define INS_SIGN 0x2A

static const uint8_t kenhojo_aid[10] = { 0xD3, 0x92, 0x10, 0x00, 0x31,
					 0x00, 0x01, 0x01, 0x04, 0x08 };

/* What a replayed dump answers to 80 2A: a genuine signature over someone else's nonce. */
static const char stale_nonce[] = "cardsim: a nonce from an earlier session";

/* Response data a command produced, before chaining and the SW are applied. */
struct reply {
	const uint8_t *data;
	size_t len;
	size_t max; /* most data bytes the caller's buffer takes */
	uint8_t sig[CARDSIM_RSA_LEN];
};

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

static uint16_t sw_more(size_t remaining)
{
	return (uint16_t)(0x6100 | (remaining >= 256 ? 0 : remaining));
}

static void clear_session(struct cardsim_card *c)
{
	c->ap_selected = false;
	c->current_ef = -1;
	c->verified = false;
	c->chain_len = 0;
	c->chain_off = 0;
}

/* --- log ---------------------------------------------------------------- */

static struct cardsim_log_entry *log_append(struct cardsim_card *c)
{
	struct cardsim_log_entry *e;

	if (c->log_count < CARDSIM_LOG_MAX) {
		e = &c->log[(c->log_start + c->log_count) % CARDSIM_LOG_MAX];
		c->log_count++;
	} else {
		e = &c->log[c->log_start];
		c->log_start = (c->log_start + 1) % CARDSIM_LOG_MAX;
	}
	memset(e, 0, sizeof(*e));
	return e;
}

size_t cardsim_log_count(const struct cardsim_card *c)
{
	return c != NULL ? c->log_count : 0;
}

const struct cardsim_log_entry *cardsim_log_get(const struct cardsim_card *c, size_t i)
{
	if (c == NULL || i >= c->log_count) {
		return NULL;
	}
	return &c->log[(c->log_start + i) % CARDSIM_LOG_MAX];
}

void cardsim_log_clear(struct cardsim_card *c)
{
	if (c == NULL) {
		return;
	}
	memset(c->log, 0, sizeof(c->log));
	c->log_start = 0;
	c->log_count = 0;
	c->verify_count = 0;
	c->apdu_total = 0;
}

unsigned cardsim_verify_count(const struct cardsim_card *c)
{
	return c != NULL ? c->verify_count : 0;
}

/* --- commands ----------------------------------------------------------- */

static int find_ef_index(const struct cardsim_card *c, uint16_t fid)
{
	for (size_t i = 0; i < c->ef_count; i++) {
		if (c->ef[i].fid == fid) {
			return (int)i;
		}
	}
	return -1;
}

static uint16_t cmd_select(struct cardsim_card *c, const struct cardsim_apdu *a)
{
	int idx;

	if (a->p1 == 0x04) { /* by DF name: only the full AID (JICSAP allows prefixes; we don't) */
		if (a->p2 != 0x0C) {
			return SW_WRONG_P1P2;
		}
		if (a->lc == 0) {
			return SW_WRONG_LENGTH;
		}
		if (c->faults.not_mynumber || a->lc != sizeof(kenhojo_aid) ||
		    memcmp(a->data, kenhojo_aid, sizeof(kenhojo_aid)) != 0) {
			return SW_FILE_NOT_FOUND;
		}
		/* Selecting the application starts a new session (myna-card sm.rs). */
		clear_session(c);
		c->ap_selected = true;
		return SW_OK;
	}
	if (a->p1 == 0x00 && a->lc == 0) {
		/* "Select MF" does not reset anything: 90 00 with the AP left current,
		 * 6A 86 right after a cold reset (mynacard.md 1.2). */
		return c->ap_selected ? SW_OK : SW_WRONG_P1P2;
	}
	if (a->p1 == 0x02 || a->p1 == 0x00) { /* EF by file identifier */
		if (a->p2 != 0x0C) {
			return SW_WRONG_P1P2;
		}
		if (a->lc != 2) {
			return SW_WRONG_LENGTH;
		}
		if (!c->ap_selected) {
			return SW_FILE_NOT_FOUND;
		}
		idx = find_ef_index(c, (uint16_t)((a->data[0] << 8) | a->data[1]));
		if (idx < 0) {
			return SW_FILE_NOT_FOUND;
		}
		c->current_ef = idx;
		return SW_OK;
	}
	return SW_WRONG_P1P2;
}

static uint16_t cmd_read_binary(struct cardsim_card *c, const struct cardsim_apdu *a,
				struct reply *r)
{
	const struct cardsim_ef *ef;
	size_t off, remaining;

	if (a->lc != 0 || !a->has_le) {
		return SW_WRONG_LENGTH;
	}
	if (a->p1 & 0x80) { /* short EF identifier in P1, 8-bit offset in P2 */
		uint8_t sfi = a->p1 & 0x1F;
		int idx;

		if (c->faults.no_sfi || (a->p1 & 0x60) != 0 || sfi == 0 || sfi == 0x1F) {
			return SW_WRONG_P1P2;
		}
		if (!c->ap_selected) {
			return SW_FILE_NOT_FOUND;
		}
		idx = find_ef_index(c, sfi);
		if (idx < 0) {
			return SW_FILE_NOT_FOUND;
		}
		c->current_ef = idx;
		off = a->p2;
	} else {
		if (c->current_ef < 0) {
			return SW_NO_CURRENT_EF;
		}
		off = ((size_t)a->p1 << 8) | a->p2;
	}
	ef = &c->ef[c->current_ef];
	if (ef->kind != EF_BINARY) {
		return SW_INCOMPATIBLE_FILE;
	}
	if (ef->needs_pin && !c->verified) {
		return SW_SECURITY_NOT_SATISFIED;
	}
	if (off >= ef->len) {
		return SW_OFFSET_OUTSIDE;
	}
	remaining = ef->len - off;
	if (c->faults.wrong_le_6c && a->le > remaining && remaining <= 256) {
		return (uint16_t)(0x6C00 | (remaining & 0xFF));
	}
	r->data = ef->data + off;
	r->len = min_size(min_size(a->le, remaining), r->max);
	return SW_OK;
}

static bool pin_matches(const struct cardsim_card *c, const uint8_t *data)
{
	uint8_t diff = 0;

	for (size_t i = 0; i < 4; i++) {
		diff |= (uint8_t)(data[i] ^ (uint8_t)c->persona.pin[i]);
	}
	return diff == 0;
}

static uint16_t verify_pin(struct cardsim_card *c, const struct cardsim_apdu *a)
{
	if (a->lc == 0) { /* the tries query: costs nothing */
		return c->verified ? SW_OK : SW_RETRIES(c->tries);
	}
	if (c->tries <= 0) {
		return SW_AUTH_BLOCKED;
	}
	if (a->lc != 4) {
		return SW_WRONG_LENGTH;
	}
	if (pin_matches(c, a->data)) {
		c->tries = CARDSIM_PIN_TRIES_MAX;
		c->verified = true;
		return SW_OK;
	}
	c->tries--;
	c->verified = false;
	return SW_RETRIES(c->tries); /* 63 C0 from the attempt that used the last try */
}

static uint16_t cmd_verify(struct cardsim_card *c, const struct cardsim_apdu *a)
{
	uint16_t key;

	if (a->p1 != 0x00) {
		return SW_WRONG_P1P2;
	}
	if (a->has_le) {
		return SW_WRONG_LENGTH;
	}
	if (a->p2 == 0x80) { /* the key in the current EF */
		if (c->current_ef < 0 || c->ef[c->current_ef].kind != EF_KEY_REF) {
			return SW_REF_NOT_FOUND;
		}
		key = c->ef[c->current_ef].fid;
	} else if ((a->p2 & 0xE0) == 0x80 && (a->p2 & 0x1F) != 0 && (a->p2 & 0x1F) != 0x1F) {
		int idx;

		if (c->faults.no_sfi) {
			return SW_WRONG_P1P2;
		}
		idx = c->ap_selected ? find_ef_index(c, a->p2 & 0x1F) : -1;
		if (idx < 0 || c->ef[idx].kind != EF_KEY_REF) {
			return SW_REF_NOT_FOUND;
		}
		key = c->ef[idx].fid;
	} else {
		return SW_WRONG_P1P2;
	}
	switch (key) {
	case FID_PIN:
		return verify_pin(c, a);
	case FID_BLOCKED_KEY: /* issued blocked on every examined card */
		return a->lc == 0 ? SW_RETRIES(0) : SW_AUTH_BLOCKED;
	default: /* 照合番号A/B are not modelled */
		return SW_REF_NOT_FOUND;
	}
}

static uint16_t cmd_sign(struct cardsim_card *c, const struct cardsim_apdu *a, struct reply *r)
{
	uint8_t di[CARDSIM_DIGEST_INFO_LEN];
	int rc;

	if (!c->persona.opt_presence) {
		return SW_INS_NOT_SUPPORTED;
	}
	if (a->p1 != 0x00 || a->p2 != 0x00) {
		return SW_WRONG_P1P2;
	}
	if (a->lc == 0 || a->lc > CARDSIM_RSA_LEN - 11 || !a->has_le) {
		return SW_WRONG_LENGTH;
	}
	if (!c->ap_selected) {
		return SW_CONDITIONS_NOT_SATISFIED;
	}
	if (!c->verified) {
		return SW_SECURITY_NOT_SATISFIED;
	}
	if (a->le < CARDSIM_RSA_LEN) {
		return 0x6C00; /* resend with Le = 256 */
	}
	if (c->faults.replay) {
		cardsim_digest_info((const uint8_t *)stale_nonce, sizeof(stale_nonce) - 1, di);
		rc = cardsim_sign_raw(&c->pki, &c->pki.card, di, sizeof(di), r->sig);
	} else {
		rc = cardsim_sign_raw(&c->pki, &c->pki.card, a->data, a->lc, r->sig);
	}
	if (rc != 0) {
		return SW_NO_PRECISE_DIAGNOSIS;
	}
	r->data = r->sig;
	r->len = min_size(CARDSIM_RSA_LEN, r->max);
	return SW_OK;
}

static uint16_t cmd_get_response(struct cardsim_card *c, const struct cardsim_apdu *a,
				 struct reply *r)
{
	size_t remaining;

	if (a->p1 != 0x00 || a->p2 != 0x00) {
		return SW_WRONG_P1P2;
	}
	if (a->lc != 0 || !a->has_le) {
		return SW_WRONG_LENGTH;
	}
	if (c->chain_off >= c->chain_len) {
		return SW_CONDITIONS_NOT_SATISFIED;
	}
	remaining = c->chain_len - c->chain_off;
	r->data = c->chain + c->chain_off;
	r->len = min_size(min_size(a->le, remaining), r->max);
	c->chain_off += r->len;
	remaining -= r->len;
	if (remaining > 0) {
		return sw_more(remaining);
	}
	return SW_OK;
}

static uint16_t dispatch(struct cardsim_card *c, const struct cardsim_apdu *a, struct reply *r)
{
	if (a->cla == 0xFF) {
		return SW_CLA_NOT_SUPPORTED;
	}
	if (a->cla & 0x03) {
		return SW_CHANNEL_NOT_SUPPORTED;
	}
	if ((a->cla & 0x7F) != 0) { /* chaining, secure messaging, other classes */
		return SW_CLA_NOT_SUPPORTED;
	}
	if (a->ins != INS_GET_RESPONSE) {
		c->chain_len = 0;
		c->chain_off = 0;
	}
	if (a->extended && (c->faults.no_extended || c->faults.ext_atr_only)) {
		return SW_WRONG_LENGTH;
	}
	if (a->cla == 0x80) {
		return a->ins == INS_SIGN ? cmd_sign(c, a, r) : SW_INS_NOT_SUPPORTED;
	}
	switch (a->ins) {
	case INS_SELECT:
		return cmd_select(c, a);
	case INS_READ_BINARY:
		return cmd_read_binary(c, a, r);
	case INS_VERIFY:
		return cmd_verify(c, a);
	case INS_GET_RESPONSE:
		return cmd_get_response(c, a, r);
	default:
		return SW_INS_NOT_SUPPORTED;
	}
}

static bool is_pin_verify(const uint8_t *cmd, size_t clen, const struct cardsim_apdu *a, bool ok)
{
	if (ok) {
		return (a->cla & 0xFC) == 0x00 && a->ins == INS_VERIFY && a->lc > 0;
	}
	/* Malformed, but the bytes still went to the card: count what looks like one. */
	return clen > 5 && (cmd[0] & 0xFC) == 0x00 && cmd[1] == INS_VERIFY;
}

enum cardsim_action cardsim_process(struct cardsim_card *c, const uint8_t *cmd, size_t clen,
				    uint8_t *resp, size_t rcap, size_t *rlen)
{
	struct cardsim_apdu a;
	struct cardsim_log_entry *e;
	struct reply r;
	enum cardsim_action act = CARDSIM_ANSWER;
	bool ok;
	uint16_t sw;
	size_t n;

	if (rlen != NULL) {
		*rlen = 0;
	}
	if (c == NULL || rlen == NULL || (resp == NULL && rcap > 0) || (cmd == NULL && clen > 0)) {
		return CARDSIM_MUTE;
	}
	if (!c->present) {
		return CARDSIM_REMOVE_NOW; /* no card in the reader: nobody to answer */
	}
	ok = cardsim_apdu_parse(cmd, clen, &a) == 0;

	e = log_append(c);
	if (ok) {
		e->cla = a.cla;
		e->ins = a.ins;
		e->p1 = a.p1;
		e->p2 = a.p2;
		e->lc = a.lc;
		e->le = a.has_le ? a.le : 0;
		e->extended = a.extended;
	} else {
		uint8_t hdr[4] = { 0, 0, 0, 0 };

		if (clen > 0) {
			memcpy(hdr, cmd, min_size(clen, sizeof(hdr)));
		}
		e->cla = hdr[0];
		e->ins = hdr[1];
		e->p1 = hdr[2];
		e->p2 = hdr[3];
	}
	c->since_insert++;
	c->since_power++;
	c->apdu_total++;
	if (is_pin_verify(cmd, clen, &a, ok)) {
		c->verify_count++;
	}

	if (c->muted || (c->faults.mute_after >= 0 &&
			 c->since_insert > (unsigned long)c->faults.mute_after)) {
		c->muted = true;
		return CARDSIM_MUTE;
	}
	if (c->faults.remove_after == 0) {
		c->faults.remove_after = -1;
		cardsim_remove(c);
		return CARDSIM_REMOVE_NOW;
	}
	if (rcap < 2) {
		return CARDSIM_MUTE; /* the caller gave no room for even a status word */
	}

	memset(&r, 0, sizeof(r));
	r.max = rcap - 2;
	if (c->first_cmd && c->faults.first_6f00) {
		sw = SW_NO_PRECISE_DIAGNOSIS;
	} else if (!ok) {
		sw = SW_WRONG_LENGTH;
	} else {
		sw = dispatch(c, &a, &r);
	}
	c->first_cmd = false;

	if (sw == SW_OK && r.len > 0 && c->faults.chain_61xx && a.ins != INS_GET_RESPONSE) {
		n = min_size(r.len, sizeof(c->chain));
		memcpy(c->chain, r.data, n);
		c->chain_len = n;
		c->chain_off = 0;
		sw = sw_more(n);
		r.len = 0;
	}
	n = min_size(r.len, rcap - 2);
	if (n > 0) {
		memcpy(resp, r.data, n);
	}
	resp[n] = (uint8_t)(sw >> 8);
	resp[n + 1] = (uint8_t)sw;
	*rlen = n + 2;
	e->sw = sw;
	mbedtls_platform_zeroize(r.sig, sizeof(r.sig));

	if (c->faults.remove_after > 0 &&
	    c->since_power >= (unsigned long)c->faults.remove_after) {
		c->faults.remove_after = -1;
		cardsim_remove(c);
		act = CARDSIM_ANSWER_THEN_REMOVE;
	}
	return act;
}

/* --- power, presence, state ---------------------------------------------- */

void cardsim_power(struct cardsim_card *c, enum cardsim_power p)
{
	if (c == NULL) {
		return;
	}
	clear_session(c);
	c->powered = p != CARDSIM_POWER_OFF;
	if (c->powered) {
		c->since_power = 0;
		c->first_cmd = true;
	}
}

void cardsim_insert(struct cardsim_card *c)
{
	if (c == NULL) {
		return;
	}
	clear_session(c);
	c->present = true;
	c->powered = false;
	c->muted = false;
	c->first_cmd = true;
	c->since_insert = 0;
	c->since_power = 0;
}

void cardsim_remove(struct cardsim_card *c)
{
	if (c == NULL) {
		return;
	}
	clear_session(c);
	c->present = false;
	c->powered = false;
	c->muted = false;
}

bool cardsim_present(const struct cardsim_card *c)
{
	return c != NULL && c->present;
}

bool cardsim_powered(const struct cardsim_card *c)
{
	return c != NULL && c->powered;
}

bool cardsim_verified(const struct cardsim_card *c)
{
	return c != NULL && c->verified;
}

int cardsim_tries_left(const struct cardsim_card *c)
{
	return c != NULL ? c->tries : -1;
}

unsigned long cardsim_apdu_count(const struct cardsim_card *c)
{
	return c != NULL ? c->apdu_total : 0;
}

void cardsim_unmute(struct cardsim_card *c)
{
	if (c == NULL) {
		return;
	}
	c->muted = false;
	c->faults.mute_after = -1;
}

const uint8_t *cardsim_ef(const struct cardsim_card *c, uint16_t fid, size_t *len)
{
	int idx;

	if (len != NULL) {
		*len = 0;
	}
	if (c == NULL) {
		return NULL;
	}
	idx = find_ef_index(c, fid);
	if (idx < 0 || c->ef[idx].kind != EF_BINARY) {
		return NULL;
	}
	if (len != NULL) {
		*len = c->ef[idx].len;
	}
	return c->ef[idx].data;
}

const char *cardsim_persona_id(const struct cardsim_card *c)
{
	return c != NULL ? c->persona.id : "";
}

/* --- lifetime ------------------------------------------------------------ */

struct cardsim_card *cardsim_card_load(const char *persona_path, const char *pki_dir,
				       char *err, size_t err_cap)
{
	struct cardsim_card *c = calloc(1, sizeof(*c));
	char why[256] = "";
	int rc;

	if (c == NULL) {
		snprintf(why, sizeof(why), "out of memory");
		goto fail;
	}
	cardsim_pki_init(&c->pki);
	rc = cardsim_persona_load(&c->persona, persona_path, why, sizeof(why));
	if (rc == 0) {
		rc = cardsim_pki_setup(&c->pki, pki_dir, c->persona.id, c->persona.municipality,
				       why, sizeof(why));
	}
	if (rc != 0) {
		goto fail;
	}
	c->tries = c->persona.tries_left;
	cardsim_faults_reset(c);
	rc = cardsim_files_build(c);
	if (rc != 0) {
		snprintf(why, sizeof(why), "cannot build the card files (error %d)", rc);
		goto fail;
	}
	cardsim_insert(c);
	return c;
fail:
	if (err != NULL && err_cap > 0) {
		snprintf(err, err_cap, "%s", why);
	}
	cardsim_card_free(c);
	return NULL;
}

void cardsim_card_free(struct cardsim_card *c)
{
	if (c == NULL) {
		return;
	}
	cardsim_files_free(c);
	cardsim_pki_free(&c->pki);
	mbedtls_platform_zeroize(c, sizeof(*c));
	free(c);
}
