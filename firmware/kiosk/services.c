/* SPDX-License-Identifier: MIT */
/*
 * The flow's services on real parts (kiosk/services.h). Each op is one step of
 * the issuance; end() is where every issuance stops, whatever happened.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <mbedtls/platform_util.h>

#include "kiosk/clock.h"
#include "kiosk/err.h"
#include "kiosk/issuance.h"
#include "kiosk/oplog.h"
#include "kiosk/print_step.h"
#include "services.h"

#define KIOSK_VAULT_SIZE (ISSUANCE_VAULT_NEED + KIOSK_VAULT_DEFAULT_SIZE)
#define CERT_CACHE_ENTRIES 64
/* The reader's own keypad waits this long for the resident (part 10 timeout). */
#define PINPAD_TIMEOUT_S 30
#define NAME_BUF_MAX (MNC_NAME_MAX + 2)

static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Wall and CPU time of the steps after the PIN (the resident's own waits
 * between them are not counted). */
struct step_clock {
	long wall0;
	double cpu0;
};

static void step_begin(struct step_clock *c)
{
	c->wall0 = kiosk_now_ms();
	c->cpu0 = cpu_ms();
}

static void step_end(struct kiosk_services *k, const struct step_clock *c)
{
	k->steps_ms += (double)(kiosk_now_ms() - c->wall0);
	k->cpu_ms += cpu_ms() - c->cpu0;
}

static int op_municipalities(void *ctx, const struct center_municipality **list, size_t *n)
{
	struct kiosk_services *k = ctx;
	long now = kiosk_now_ms();

	if (k->n_munis == 0 || now - k->munis_at_ms >= (long)k->board->munis_refresh_ms) {
		int rc = kiosk_services_refresh(k, now);

		/* A stale list beats none: the center checks participation again. */
		if (rc != 0 && k->n_munis == 0) {
			return rc;
		}
	}
	*list = k->munis;
	*n = k->n_munis;
	return 0;
}

static int op_card_present(void *ctx, unsigned wait_ms)
{
	struct kiosk_services *k = ctx;
	int rc = hal_reader_wait_card(&k->reader, true, wait_ms);

	if (rc == 0) {
		return 1;
	}
	return rc == KIOSK_ERR_TIMEOUT ? 0 : rc;
}

static int op_card_open(void *ctx, int *tries_left, bool *pinpad)
{
	struct kiosk_services *k = ctx;
	struct mnc_options mo = {
		/* the center requires the presence proof, whatever the board's default */
		.presence_proof = true,
		.allow_sfi = k->board->allow_sfi,
		.allow_extended = k->board->allow_extended,
	};
	long t0 = kiosk_now_ms();
	int rc;

	k->card_ms = 0;
	rc = hal_reader_connect(&k->reader);
	if (rc == 0) {
		rc = mnc_session_init(&k->session, &k->reader, &k->vault, k->anchors, k->cache, &mo);
	}
	if (rc == 0) {
		k->session_live = true;
		rc = mnc_select_ap(&k->session);
	}
	if (rc == 0) {
		rc = mnc_read_certificate(&k->session);
	}
	if (rc == 0) {
		rc = mnc_query_tries(&k->session, tries_left);
	}
	*pinpad = (k->reader.info.caps & HAL_READER_CAP_PINPAD) != 0;
	k->card_ms += kiosk_now_ms() - t0;
	return rc;
}

static char *op_pin_buffer(void *ctx)
{
	struct kiosk_services *k = ctx;

	return kiosk_vault_alloc(&k->vault, FLOW_PIN_LEN + 1);
}

static int op_card_verify(void *ctx, const char *pin, size_t len, int *tries_left)
{
	struct kiosk_services *k = ctx;

	if (pin == NULL) {
		return mnc_verify_pin_pinpad(&k->session, PINPAD_TIMEOUT_S, tries_left);
	}
	return mnc_verify_pin(&k->session, pin, len, tries_left);
}

/* "family given" and YYYY-MM-DD for the confirmation screen, in the vault. */
static int holder_for_screen(struct kiosk_services *k, const char **name, const char **birth)
{
	const struct mnc_personal *p = k->session.personal;
	char *n = kiosk_vault_alloc(&k->vault, NAME_BUF_MAX);
	char *b = kiosk_vault_alloc(&k->vault, 11);

	if (p == NULL || n == NULL || b == NULL) {
		return KIOSK_ERR_VAULT;
	}
	if (p->given_off > 0) {
		snprintf(n, NAME_BUF_MAX, "%.*s %s", (int)p->family_len, p->name,
			 p->name + p->given_off);
	} else {
		snprintf(n, NAME_BUF_MAX, "%s", p->name);
	}
	snprintf(b, 11, "%.4s-%.2s-%.2s", p->birth_date, p->birth_date + 4, p->birth_date + 6);
	*name = n;
	*birth = b;
	return 0;
}

static int op_card_read(void *ctx, const char **name, const char **birth)
{
	struct kiosk_services *k = ctx;
	long t0 = kiosk_now_ms(), t1;
	struct step_clock sc;
	int rc;

	k->steps_ms = 0;
	k->cpu_ms = 0;
	step_begin(&sc);
	/* The center's challenge is fetched while the card is in: the card signs it. */
	rc = center_post_challenge(&k->client, &k->challenge);
	t1 = kiosk_now_ms();
	k->center_ms = t1 - t0;
	if (rc == 0) {
		rc = mnc_read_personal(&k->session);
	}
	if (rc == 0) {
		rc = mnc_verify_chain(&k->session);
	}
	if (rc == 0) {
		rc = mnc_parse_personal(&k->session);
	}
	if (rc == 0) {
		rc = mnc_prove_presence(&k->session, k->challenge.bytes, CENTER_CHALLENGE_LEN);
	}
	/* The card goes back to the resident now: unpowered, PIN state cleared. */
	hal_reader_disconnect(&k->reader);
	k->card_ms += kiosk_now_ms() - t1;
	if (rc == 0) {
		rc = holder_for_screen(k, name, birth);
	}
	step_end(k, &sc);
	return rc;
}

static int op_request(void *ctx, const char *municipality, enum center_cert_type type)
{
	struct kiosk_services *k = ctx;
	struct issuance_trust trust = { .issuers = k->issuers, .csca = k->csca };
	bool holder_match = false;
	long t0 = kiosk_now_ms();
	struct step_clock sc;
	int rc;

	step_begin(&sc);
	k->model = kiosk_vault_alloc(&k->vault, sizeof(*k->model));
	if (k->model == NULL) {
		return KIOSK_ERR_VAULT;
	}
	snprintf(k->municipality, sizeof(k->municipality), "%s", municipality);
	k->type = type;
	rc = issuance_request_certificate(&k->session, &k->client, &k->challenge, municipality,
					  type, &trust, &k->vault, &k->issued, k->model,
					  &holder_match);
	if (rc == 0 && !holder_match) {
		rc = KIOSK_ERR_CERT_HOLDER_MISMATCH;
	}
	k->center_ms += kiosk_now_ms() - t0;
	step_end(k, &sc);
	return rc;
}

static int op_print(void *ctx)
{
	struct kiosk_services *k = ctx;
	struct print_step_opts po = { .keep_fonts = true };
	char stem[32];
	long t0 = kiosk_now_ms();
	struct step_clock sc;
	int rc;

	step_begin(&sc);
	for (size_t i = 0; i < k->n_munis; i++) {
		if (strcmp(k->munis[i].code, k->municipality) == 0) {
			po.municipality_name = k->munis[i].name_ja;
			po.municipality_name_en = k->munis[i].name_en;
		}
	}
	if (k->opt.preview_dir != NULL) {
		/* a counter, never anything personal, names the preview files */
		snprintf(stem, sizeof(stem), "certificate-%04u", k->printed + 1);
		po.preview_dir = k->opt.preview_dir;
		po.preview_stem = stem;
	} else {
		po.print = true;
	}
	rc = print_step_run(k->board, k->model, k->issued.vdsnc, k->issued.vdsnc_len, &po);
	if (rc == 0) {
		k->printed++;
	}
	k->print_ms = kiosk_now_ms() - t0;
	step_end(k, &sc);
	if (rc == 0 && k->opt.timing) {
		/* numbers only: PIN accepted -> job handed over, and where the time went */
		fprintf(stderr,
			"kiosk-timing steps_ms=%.1f cpu_ms=%.1f card_ms=%ld center_ms=%ld "
			"print_ms=%ld\n",
			k->steps_ms, k->cpu_ms, k->card_ms, k->center_ms, k->print_ms);
	}
	return rc;
}

static void op_end(void *ctx)
{
	struct kiosk_services *k = ctx;

	if (k->session_live) {
		mnc_session_end(&k->session);
		k->session_live = false;
	}
	hal_reader_disconnect(&k->reader);
	if (k->model != NULL) {
		cert_clear(k->model);
		k->model = NULL;
	}
	mbedtls_platform_zeroize(&k->issued, sizeof(k->issued));
	mbedtls_platform_zeroize(&k->challenge, sizeof(k->challenge));
	mbedtls_platform_zeroize(&k->session, sizeof(k->session));
	kiosk_vault_wipe(&k->vault);
	k->last_wipe_ok = kiosk_vault_is_wiped(&k->vault);
	oplog_event(OPLOG_WIPE, NULL, k->last_wipe_ok ? KIOSK_OK : KIOSK_ERR_VAULT, 0);
}

int kiosk_services_refresh(struct kiosk_services *k, long now_ms)
{
	size_t n = 0;
	int rc = center_get_municipalities(&k->client, k->munis, FLOW_MUNIS_MAX, &n);

	if (rc == 0) {
		k->n_munis = n;
		k->munis_at_ms = now_ms;
	}
	oplog_event(OPLOG_MUNICIPALITIES, NULL, rc, 0);
	return rc;
}

static int open_reader(struct kiosk_services *k)
{
	const struct hal_reader_ops *ops = hal_reader_backend(k->board->reader_backend);
	struct hal_reader_config rc;

	if (ops == NULL) {
		fprintf(stderr, "kiosk: reader backend %s not built in\n", k->board->reader_backend);
		return KIOSK_ERR_CONFIG;
	}
	memset(&rc, 0, sizeof(rc));
	rc.name_pattern = k->board->reader_pattern;
	rc.apdu_timeout_ms = k->board->apdu_timeout_ms;
	return hal_reader_open(&k->reader, ops, &rc);
}

int kiosk_services_open(struct kiosk_services *k, const struct kiosk_board *b,
			const struct kiosk_services_opts *o)
{
	struct center_settings cs;
	int rc;

	memset(k, 0, sizeof(*k));
	k->board = b;
	k->opt = *o;
	kiosk_vault_init(&k->vault);
	hal_reader_init(&k->reader);
	center_client_init(&k->client);
	k->ops = (struct flow_services){
		.ctx = k,
		.municipalities = op_municipalities,
		.card_present = op_card_present,
		.card_open = op_card_open,
		.pin_buffer = op_pin_buffer,
		.card_verify = op_card_verify,
		.card_read = op_card_read,
		.request = op_request,
		.print = op_print,
		.end = op_end,
	};
	if (o->preview_dir != NULL && b->production) {
		fprintf(stderr, "kiosk: previews are refused on production board %s\n", b->name);
		return KIOSK_ERR_REFUSED;
	}
	rc = mnc_anchors_load_dir(&k->anchors, b->anchors_dir, b->production);
	if (rc != 0) {
		fprintf(stderr, "kiosk: card trust anchors: %s\n", kiosk_strerror(rc));
		return rc;
	}
	k->cache = mnc_cert_cache_new(CERT_CACHE_ENTRIES);
	rc = cert_keyset_load_jwks(&k->issuers, b->cert_issuer_jwks);
	if (rc == 0) {
		rc = cert_csca_load(&k->csca, b->cert_csca);
	}
	if (rc != 0) {
		fprintf(stderr, "kiosk: pinned certificate issuers: %s\n", kiosk_strerror(rc));
		return rc;
	}
	rc = kiosk_vault_setup(&k->vault, KIOSK_VAULT_SIZE);
	if (rc != 0) {
		fprintf(stderr, "kiosk: vault: %s\n", kiosk_strerror(rc));
		return rc;
	}
	center_settings_from_board(&cs, b);
	rc = center_client_setup(&k->client, &cs);
	if (rc != 0) {
		fprintf(stderr, "kiosk: center client: %s\n", kiosk_strerror(rc));
		return rc;
	}
	rc = open_reader(k);
	if (rc != 0) {
		fprintf(stderr, "kiosk: reader: %s\n", kiosk_strerror(rc));
	}
	return rc;
}

void kiosk_services_close(struct kiosk_services *k)
{
	op_end(k);
	hal_reader_close(&k->reader);
	center_client_free(&k->client);
	kiosk_vault_free(&k->vault);
	cert_csca_free(k->csca);
	cert_keyset_free(k->issuers);
	mnc_cert_cache_free(k->cache);
	mnc_anchors_free(k->anchors);
	k->csca = NULL;
	k->issuers = NULL;
	k->cache = NULL;
	k->anchors = NULL;
}
