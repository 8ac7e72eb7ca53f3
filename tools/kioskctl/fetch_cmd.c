/* SPDX-License-Identifier: MIT */
/*
 * kioskctl certificate fetch: the whole issuance up to the verified
 * certificate, as QA runs it against the reference center: challenge from the
 * center, card phase (one VERIFY, chain, the card signs the challenge), card
 * unpowered, request, SHC (+ VDS-NC) verified against the pinned issuers,
 * holder binding. One JSON object on stdout. Personal data only with --reveal
 * (refused by production boards); the QR text and the seal, which carry the
 * holder's data in encoded form, only on non-production boards.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mbedtls/platform_util.h>

#include "card_phase.h"
#include "json_out.h"
#include "kiosk/board.h"
#include "kiosk/center.h"
#include "kiosk/certificate.h"
#include "kiosk/err.h"
#include "kiosk/harden.h"
#include "kiosk/issuance.h"
#include "kiosk/msg.h"
#include "kiosk/print_step.h"
#include "kioskctl.h"

#define JSON_BUF_MAX (64u * 1024u)
#define FETCH_VAULT_SIZE (ISSUANCE_VAULT_NEED + KIOSK_VAULT_DEFAULT_SIZE + JSON_BUF_MAX)

struct fetch_opts {
	const char *board;
	const char *reader;
	const char *anchors;
	const char *url;
	const char *municipality;
	enum center_cert_type type;
	bool have_type;
	bool pin_stdin;
	bool reveal;
	bool print;
	const char *preview_dir;
	long wait_ms;
};

/* What the command holds between steps; freed in one place. */
struct fetch_ctx {
	struct kiosk_board board;
	struct kiosk_vault vault;
	struct hal_reader reader;
	struct center_client client;
	struct mnc_anchors *anchors;
	struct cert_keyset *issuers;
	struct cert_csca *csca;
	struct mnc_session session;
	struct mnc_session *s;
};

static int parse_opts(int argc, char **argv, struct fetch_opts *o)
{
	static const struct option longopts[] = {
		{ "board", required_argument, NULL, 'b' },
		{ "reader", required_argument, NULL, 'r' },
		{ "anchors", required_argument, NULL, 'a' },
		{ "url", required_argument, NULL, 'u' },
		{ "municipality", required_argument, NULL, 'm' },
		{ "type", required_argument, NULL, 't' },
		{ "pin-stdin", no_argument, NULL, 'p' },
		{ "reveal", no_argument, NULL, 'R' },
		{ "wait-ms", required_argument, NULL, 'w' },
		{ "print", no_argument, NULL, 'P' },
		{ "preview-out", required_argument, NULL, 'O' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->board = "sim";
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			o->board = optarg;
			break;
		case 'r':
			o->reader = optarg;
			break;
		case 'a':
			o->anchors = optarg;
			break;
		case 'u':
			o->url = optarg;
			break;
		case 'm':
			o->municipality = optarg;
			break;
		case 't':
			o->have_type = true;
			if (strcmp(optarg, "domestic") == 0) {
				o->type = CENTER_CERT_DOMESTIC;
			} else if (strcmp(optarg, "overseas") == 0) {
				o->type = CENTER_CERT_OVERSEAS;
			} else {
				return -1;
			}
			break;
		case 'p':
			o->pin_stdin = true;
			break;
		case 'R':
			o->reveal = true;
			break;
		case 'w':
			o->wait_ms = strtol(optarg, NULL, 10);
			break;
		case 'P':
			o->print = true;
			break;
		case 'O':
			o->preview_dir = optarg;
			break;
		default:
			return -1;
		}
	}
	if (optind != argc || o->municipality == NULL || !o->have_type || !o->pin_stdin ||
	    strlen(o->municipality) != 6 || strspn(o->municipality, "0123456789") != 6) {
		fprintf(stderr, "usage: kioskctl certificate fetch --pin-stdin --municipality CODE "
				"--type domestic|overseas [--board NAME] [--url URL] [--reveal]\n"
				"       [--print] [--preview-out DIR]\n");
		return -1;
	}
	return 0;
}

static void emit_dose(struct json_out *j, const struct cert_dose *d, char *tmp, size_t cap)
{
	snprintf(tmp, cap, "%u %s %s %s %s", d->number, d->date, d->vaccine_code, d->product,
		 d->lot);
	json_out_str(j, "dose", tmp);
}

static void emit(const struct fetch_ctx *x, const struct fetch_opts *o,
		 const struct card_phase_state *st, const struct center_certificate *issued,
		 const struct kiosk_certificate *m, bool holder_match, int rc, int print_rc)
{
	struct kiosk_vault *v = (struct kiosk_vault *)&x->vault;
	char *buf = kiosk_vault_alloc(v, JSON_BUF_MAX);
	char *tmp = kiosk_vault_alloc(v, 512);
	struct json_out j;
	bool ok = rc == 0 && m != NULL;

	if (buf == NULL || tmp == NULL) {
		fprintf(stderr, "kioskctl: vault full, no report\n");
		return;
	}
	json_out_begin(&j, buf, JSON_BUF_MAX);
	json_out_str(&j, "status", ok ? "issued" : "error");
	json_out_str(&j, "error", rc ? kiosk_err_name(rc) : "none");
	if (rc != 0) {
		const struct kiosk_msg *msg = kiosk_msg_get(kiosk_err_msg(rc));

		json_out_str(&j, "message_ja", msg->text[KIOSK_LANG_JA]);
		json_out_str(&j, "message_en", msg->text[KIOSK_LANG_EN]);
	}
	json_out_str(&j, "pin", st->pin);
	json_out_str(&j, "chain", mnc_chain_result_name(x->s ? x->s->chain : MNC_CHAIN_NOT_RUN));
	json_out_str(&j, "type", o->type == CENTER_CERT_OVERSEAS ? "overseas" : "domestic");
	json_out_str(&j, "municipality", o->municipality);
	json_out_str(&j, "certificate_id", ok ? issued->certificate_id : "");
	json_out_int(&j, "doses", ok ? (long)m->dose_count : 0);
	json_out_bool(&j, "holder_match", ok && holder_match);
	if (o->print || o->preview_dir != NULL) {
		json_out_bool(&j, "printed", ok && print_rc == 0);
		json_out_str(&j, "print_error", print_rc ? kiosk_err_name(print_rc) : "none");
	}
	if (ok && !x->board.production) {
		json_out_strn(&j, "shc_qr_text", m->qr_text, m->qr_text_len);
		if (o->type == CENTER_CERT_OVERSEAS && issued->vdsnc != NULL) {
			json_out_strn(&j, "vdsnc", issued->vdsnc, issued->vdsnc_len);
		}
	}
	if (ok && o->reveal) {
		json_out_str(&j, "family", m->family);
		json_out_str(&j, "given", m->given);
		json_out_str(&j, "birth_date", m->birth_date);
		if (o->type == CENTER_CERT_OVERSEAS) {
			json_out_str(&j, "romaji_family", m->romaji_family);
			json_out_str(&j, "romaji_given", m->romaji_given);
			json_out_str(&j, "passport", m->vds.passport);
			json_out_str(&j, "nationality", m->nationality);
		}
		for (unsigned i = 0; i < m->dose_count; i++) {
			emit_dose(&j, &m->doses[i], tmp, 512);
		}
	}
	if (json_out_end(&j) != 0) {
		fprintf(stderr, "kioskctl: report too large\n");
		return;
	}
	(void)json_out_write(&j, STDOUT_FILENO);
}

/* Trust anchors, pinned issuers, vault, center client: all before the card. */
static int prepare(struct fetch_ctx *x, const struct fetch_opts *o)
{
	int rc;

	rc = card_phase_prepare(o->board, o->reveal, o->anchors, &x->board, &x->anchors);
	if (rc != 0) {
		return rc;
	}
	rc = cert_keyset_load_jwks(&x->issuers, x->board.cert_issuer_jwks);
	if (rc == 0 && o->type == CENTER_CERT_OVERSEAS) {
		rc = cert_csca_load(&x->csca, x->board.cert_csca);
	}
	if (rc != 0) {
		fprintf(stderr, "kioskctl: pinned certificate issuers: %s\n", kiosk_strerror(rc));
		return rc;
	}
	rc = kiosk_vault_setup(&x->vault, FETCH_VAULT_SIZE);
	if (rc != 0) {
		fprintf(stderr, "kioskctl: %s\n", kiosk_strerror(rc));
		return rc;
	}
	return kioskctl_center_open(&x->client, &x->board, o->url);
}

/* The municipality's names (public data) for the page, then render and print. */
static int print(struct fetch_ctx *x, const struct fetch_opts *o,
		 const struct center_certificate *issued, const struct kiosk_certificate *m)
{
	static struct center_municipality list[256];
	struct print_step_opts po = { .print = o->print, .preview_dir = o->preview_dir };
	size_t n = 0;

	if (center_get_municipalities(&x->client, list, 256, &n) == 0) {
		for (size_t i = 0; i < n; i++) {
			if (strcmp(list[i].code, o->municipality) == 0) {
				po.municipality_name = list[i].name_ja;
				po.municipality_name_en = list[i].name_en;
			}
		}
	}
	return print_step_run(&x->board, m, issued->vdsnc, issued->vdsnc_len, &po);
}

static void release(struct fetch_ctx *x)
{
	if (x->s != NULL) {
		mnc_session_end(x->s);
	}
	hal_reader_close(&x->reader);
	center_client_free(&x->client);
	kiosk_vault_free(&x->vault);
	cert_csca_free(x->csca);
	cert_keyset_free(x->issuers);
	mnc_anchors_free(x->anchors);
}

int kioskctl_certificate_fetch(int argc, char **argv)
{
	static struct fetch_ctx x;
	struct fetch_opts o;
	struct card_phase_state st = { .pin = "not_run", .presence = "not_run" };
	struct center_challenge challenge;
	struct center_certificate issued;
	struct kiosk_certificate *model = NULL;
	struct mnc_options mopt;
	bool holder_match = false;
	int print_rc = 0;
	int code;
	int rc;

	memset(&x, 0, sizeof(x));
	memset(&issued, 0, sizeof(issued));
	kiosk_vault_init(&x.vault);
	hal_reader_init(&x.reader);
	center_client_init(&x.client);
	if (kiosk_harden_process() != 0) {
		return KIOSKCTL_EXIT_FAIL;
	}
	if (parse_opts(argc, argv, &o) != 0) {
		return KIOSKCTL_EXIT_USAGE;
	}
	rc = prepare(&x, &o);
	if (rc != 0) {
		code = kioskctl_exit_code_for(rc);
		release(&x);
		return code == KIOSKCTL_EXIT_CENTER ? code : KIOSKCTL_EXIT_USAGE;
	}
	model = kiosk_vault_alloc(&x.vault, sizeof(*model));
	/* The center's challenge first: the card signs it while it is still in. */
	rc = model == NULL ? KIOSK_ERR_VAULT : center_post_challenge(&x.client, &challenge);
	if (rc == 0) {
		rc = card_phase_connect(&x.reader, &x.board, o.reader, o.wait_ms);
	}
	if (rc == 0) {
		/* The center requires the presence proof, whatever the board's default. */
		mopt.presence_proof = true;
		mopt.allow_sfi = x.board.allow_sfi;
		mopt.allow_extended = x.board.allow_extended;
		rc = mnc_session_init(&x.session, &x.reader, &x.vault, x.anchors, NULL, &mopt);
		if (rc == 0) {
			x.s = &x.session;
			rc = card_phase_run(x.s, &x.vault, true, challenge.bytes, CENTER_CHALLENGE_LEN,
					    &st);
		}
	}
	/* The card goes back to the resident before the request (unpowered). */
	hal_reader_disconnect(&x.reader);
	if (rc == 0) {
		struct issuance_trust trust = { .issuers = x.issuers, .csca = x.csca };

		rc = issuance_request_certificate(x.s, &x.client, &challenge, o.municipality,
						  o.type, &trust, &x.vault, &issued, model,
						  &holder_match);
	}
	if (rc == 0 && (o.print || o.preview_dir != NULL)) {
		print_rc = print(&x, &o, &issued, model);
	}
	emit(&x, &o, &st, &issued, model, holder_match, rc, print_rc);
	code = kioskctl_exit_code_for(rc != 0 ? rc : print_rc);
	if (model != NULL) {
		cert_clear(model);
	}
	/* The certificate id names a resident's certificate: gone with the rest. */
	mbedtls_platform_zeroize(&issued, sizeof(issued));
	release(&x);
	return code;
}
