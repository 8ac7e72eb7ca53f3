/* SPDX-License-Identifier: MIT */
/*
 * kioskctl card check: read and verify the card in the board's reader, the
 * same steps the kiosk takes, and print one JSON object for QA and
 * technicians. Personal data appears only with --reveal, which production
 * boards refuse; everything read from the card stays in the vault, and the
 * vault is wiped on every path before exit.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <mbedtls/platform_util.h>

#include "hal/reader.h"
#include "json_out.h"
#include "kiosk/board.h"
#include "kiosk/err.h"
#include "kiosk/harden.h"
#include "kiosk/msg.h"
#include "kiosk/mynacard.h"
#include "kiosk/vault.h"
#include "card_phase.h"
#include "kioskctl.h"

#define JSON_BUF_MAX 8192

struct check_opts {
	const char *board;
	const char *reader;
	const char *anchors;
	bool pin_stdin;
	bool reveal;
	long wait_ms;
};

static int parse_opts(int argc, char **argv, struct check_opts *o)
{
	static const struct option longopts[] = {
		{ "board", required_argument, NULL, 'b' },
		{ "reader", required_argument, NULL, 'r' },
		{ "anchors", required_argument, NULL, 'a' },
		{ "pin-stdin", no_argument, NULL, 'p' },
		{ "reveal", no_argument, NULL, 'R' },
		{ "wait-ms", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->board = "sim";
	o->wait_ms = -1;
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
		case 'p':
			o->pin_stdin = true;
			break;
		case 'R':
			o->reveal = true;
			break;
		case 'w': {
			char *end;

			errno = 0;
			o->wait_ms = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || o->wait_ms <= 0 || o->wait_ms > 600000) {
				fprintf(stderr, "kioskctl: --wait-ms takes 1..600000\n");
				return -1;
			}
			break;
		}
		default:
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "kioskctl: unexpected argument\n");
		return -1;
	}
	return 0;
}





static void emit(const struct mnc_session *s, const struct hal_reader *r,
		 const struct check_opts *o, const struct card_phase_state *st, struct kiosk_vault *v)
{
	char *buf = kiosk_vault_alloc(v, JSON_BUF_MAX);
	const struct mnc_personal *p = s ? s->personal : NULL;
	struct json_out j;

	if (buf == NULL) {
		fprintf(stderr, "kioskctl: vault full, no report\n");
		return;
	}
	json_out_begin(&j, buf, JSON_BUF_MAX);
	json_out_str(&j, "reader", r->info.reader_name);
	json_out_hex(&j, "atr", r->info.atr, r->info.atr_len);
	json_out_bool(&j, "ap_found", st->ap_found);
	json_out_int_or_null(&j, "tries_before", s ? s->tries_before : -1);
	json_out_str(&j, "pin", st->pin);
	json_out_int_or_null(&j, "tries_after", s ? s->tries_after : -1);
	json_out_str(&j, "chain", mnc_chain_result_name(s ? s->chain : MNC_CHAIN_NOT_RUN));
	json_out_str(&j, "presence", st->presence);
	json_out_int(&j, "apdus", (long)r->apdu_count);
	json_out_bool(&j, "extended_length", s ? s->extended : false);
	json_out_bool(&j, "sfi", s ? s->sfi : false);
	json_out_bool(&j, "pinpad", (r->info.caps & HAL_READER_CAP_PINPAD) != 0);
	json_out_str(&j, "error", st->error ? kiosk_err_name(st->error) : "none");
	if (st->error != 0) {
		const struct kiosk_msg *m = kiosk_msg_get(kiosk_err_msg(st->error));

		json_out_str(&j, "message_ja", m->text[KIOSK_LANG_JA]);
		json_out_str(&j, "message_en", m->text[KIOSK_LANG_EN]);
	}
	if (o->reveal && p != NULL && s->chain == MNC_CHAIN_OK) {
		json_out_str(&j, "my_number", p->my_number);
		json_out_str(&j, "name", p->name);
		json_out_str(&j, "address", p->address);
		json_out_str(&j, "birth_date", p->birth_date);
		json_out_strn(&j, "sex", &p->sex, 1);
	}
	if (json_out_end(&j) != 0) {
		fprintf(stderr, "kioskctl: report too large\n");
		return;
	}
	(void)json_out_write(&j, STDOUT_FILENO);
}

int kioskctl_card_check(int argc, char **argv)
{
	struct check_opts o;
	struct card_phase_state st = { .pin = "not_run", .presence = "off", .error = KIOSK_OK };
	struct kiosk_board board;
	struct kiosk_vault vault;
	struct hal_reader reader;
	struct mnc_anchors *anchors = NULL;
	struct mnc_session session;
	struct mnc_session *s = NULL;
	struct mnc_options mopt;
	int code;
	int rc;

	kiosk_vault_init(&vault);
	hal_reader_init(&reader);
	if (kiosk_harden_process() != 0) {
		fprintf(stderr, "kioskctl: cannot disable core dumps\n");
		return KIOSKCTL_EXIT_FAIL;
	}
	if (parse_opts(argc, argv, &o) != 0) {
		return KIOSKCTL_EXIT_USAGE;
	}
	if (card_phase_prepare(o.board, o.reveal, o.anchors, &board, &anchors) != 0) {
		return KIOSKCTL_EXIT_USAGE;
	}
	rc = kiosk_vault_setup(&vault, KIOSK_VAULT_DEFAULT_SIZE);
	if (rc != 0) {
		fprintf(stderr, "kioskctl: %s\n", kiosk_strerror(rc));
		code = kioskctl_exit_code_for(rc);
		goto out;
	}
	rc = card_phase_connect(&reader, &board, o.reader, o.wait_ms);
	if (rc == 0) {
		mopt.presence_proof = board.presence_proof;
		mopt.allow_sfi = board.allow_sfi;
		mopt.allow_extended = board.allow_extended;
		rc = mnc_session_init(&session, &reader, &vault, anchors, NULL, &mopt);
		if (rc == 0) {
			s = &session;
			rc = card_phase_run(s, &vault, o.pin_stdin, NULL, 0, &st);
		}
	}
	if (s != NULL) {
		if (!board.presence_proof) {
			st.presence = "off";
		} else if (strcmp(st.presence, "off") == 0) {
			st.presence = "not_run";
		}
	}
	st.error = rc;
	/* Unpower before reporting: the PIN's security status ends now. */
	hal_reader_disconnect(&reader);
	emit(s, &reader, &o, &st, &vault);
	code = kioskctl_exit_code_for(rc);
	if (rc == 0 && strcmp(st.pin, "ok") != 0) {
		code = KIOSKCTL_EXIT_PIN_SKIPPED;
	}
out:
	if (s != NULL) {
		mnc_session_end(s);
	}
	hal_reader_close(&reader);
	kiosk_vault_free(&vault);
	mnc_anchors_free(anchors);
	return code;
}
