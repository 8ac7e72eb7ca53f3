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
#include "kioskctl.h"

#define PIN_BUF_MAX 32
#define JSON_BUF_MAX 8192
#define NONCE_LEN 32

struct check_opts {
	const char *board;
	const char *reader;
	const char *anchors;
	bool pin_stdin;
	bool reveal;
	long wait_ms;
};

struct check_state {
	bool ap_found;
	const char *pin;      /* ok / wrong / blocked / skipped / malformed / not_run */
	const char *presence; /* ok / fail / off / not_run */
	int error;            /* first error met, KIOSK_OK if none */
	bool extended;
	bool sfi;
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

/*
 * Read the PIN from standard input straight into the vault with read(2):
 * stdio would keep a copy in its heap buffer. Stops at the first newline.
 */
static int read_pin(char *buf, size_t cap, size_t *len)
{
	size_t n = 0;

	while (n < cap) {
		ssize_t r = read(STDIN_FILENO, buf + n, 1);

		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			return KIOSK_ERR_IO;
		}
		if (r == 0 || buf[n] == '\n') {
			break;
		}
		n++;
	}
	if (n > 0 && buf[n - 1] == '\r') {
		n--;
	}
	*len = n;
	return KIOSK_OK;
}

static int exit_code_for(int err)
{
	switch (err) {
	case KIOSK_OK:
		return KIOSKCTL_EXIT_OK;
	case KIOSK_ERR_PIN_FORMAT:
	case KIOSK_ERR_PIN_INCORRECT:
	case KIOSK_ERR_PIN_BLOCKED:
		return KIOSKCTL_EXIT_PIN;
	case KIOSK_ERR_CHAIN_UNKNOWN_CA:
	case KIOSK_ERR_CHAIN_CERT:
	case KIOSK_ERR_CHAIN_RECORD:
	case KIOSK_ERR_CHAIN_MYNUMBER_HASH:
	case KIOSK_ERR_CHAIN_BASIC4_HASH:
	case KIOSK_ERR_PRESENCE:
	case KIOSK_ERR_CARD_DATA:
	case KIOSK_ERR_MYNUMBER_CHECK_DIGIT:
		return KIOSKCTL_EXIT_VERIFY;
	case KIOSK_ERR_CONFIG:
	case KIOSK_ERR_ANCHORS_MISSING:
	case KIOSK_ERR_TEST_ANCHOR:
	case KIOSK_ERR_REFUSED:
	case KIOSK_ERR_VAULT:
		return KIOSKCTL_EXIT_USAGE;
	default:
		return KIOSKCTL_EXIT_CARD;
	}
}

static const char *pin_state_for(int err)
{
	switch (err) {
	case KIOSK_OK:
		return "ok";
	case KIOSK_ERR_PIN_INCORRECT:
		return "wrong";
	case KIOSK_ERR_PIN_BLOCKED:
		return "blocked";
	case KIOSK_ERR_PIN_FORMAT:
		return "malformed";
	default:
		return "not_run";
	}
}

/* The card phase proper: every step the kiosk takes, stopping at the first error. */
static int run_card_phase(struct mnc_session *s, const struct check_opts *o,
			  struct kiosk_vault *vault, struct check_state *st)
{
	uint8_t nonce[NONCE_LEN];
	char *pin;
	size_t pin_len = 0;
	int tries = -1;
	int rc;

	rc = mnc_select_ap(s);
	if (rc != 0) {
		return rc;
	}
	st->ap_found = true;
	rc = mnc_read_certificate(s);
	if (rc != 0) {
		return rc;
	}
	rc = mnc_query_tries(s, &tries);
	if (rc == KIOSK_ERR_PIN_BLOCKED) {
		/* A blocked card is reported, never probed with a VERIFY. */
		st->pin = "blocked";
		return rc;
	}
	if (rc != 0) {
		return rc;
	}
	if (!o->pin_stdin) {
		st->pin = "skipped";
		return KIOSK_OK;
	}
	pin = kiosk_vault_alloc(vault, PIN_BUF_MAX);
	if (pin == NULL) {
		return KIOSK_ERR_VAULT;
	}
	rc = read_pin(pin, PIN_BUF_MAX, &pin_len);
	if (rc == 0) {
		rc = mnc_verify_pin(s, pin, pin_len, &tries);
	}
	/* The PIN is not needed once VERIFY has been answered. */
	mbedtls_platform_zeroize(pin, PIN_BUF_MAX);
	st->pin = pin_state_for(rc);
	if (rc != 0) {
		return rc;
	}
	rc = mnc_read_personal(s);
	if (rc != 0) {
		return rc;
	}
	rc = mnc_verify_chain(s);
	if (rc != 0) {
		return rc;
	}
	rc = mnc_parse_personal(s);
	if (rc != 0) {
		return rc;
	}
	if (!s->opt.presence_proof) {
		return KIOSK_OK;
	}
	if (getrandom(nonce, sizeof(nonce), 0) != (ssize_t)sizeof(nonce)) {
		return KIOSK_ERR_INTERNAL;
	}
	rc = mnc_prove_presence(s, nonce, sizeof(nonce));
	st->presence = mnc_presence_result_name(s->presence);
	return rc;
}

static void emit(const struct mnc_session *s, const struct hal_reader *r,
		 const struct check_opts *o, const struct check_state *st, struct kiosk_vault *v)
{
	char *buf = kiosk_vault_alloc(v, JSON_BUF_MAX);
	const struct mnc_personal *p = s ? s->personal : NULL;
	struct json_out j;
	size_t off = 0;

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
	/* write(2), not stdio: no copy of revealed data in a libc buffer. */
	while (off < j.len) {
		ssize_t n = write(STDOUT_FILENO, buf + off, j.len - off);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			break;
		}
		off += (size_t)n;
	}
}

int kioskctl_card_check(int argc, char **argv)
{
	struct check_opts o;
	struct check_state st = { .pin = "not_run", .presence = "off", .error = KIOSK_OK };
	struct kiosk_board board;
	struct kiosk_vault vault;
	struct hal_reader reader;
	struct hal_reader_config rcfg;
	struct mnc_anchors *anchors = NULL;
	struct mnc_session session;
	struct mnc_session *s = NULL;
	struct mnc_options mopt;
	const struct hal_reader_ops *ops;
	char why[256] = "";
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
	rc = kiosk_board_load(&board, o.board, why, sizeof(why));
	if (rc != 0) {
		fprintf(stderr, "kioskctl: board %s: %s\n", o.board, why);
		return KIOSKCTL_EXIT_USAGE;
	}
	if (o.reveal && board.production) {
		fprintf(stderr, "kioskctl: --reveal is refused on production board %s\n",
			board.name);
		return KIOSKCTL_EXIT_USAGE;
	}
	rc = mnc_anchors_load_dir(&anchors, o.anchors ? o.anchors : board.anchors_dir,
				  board.production);
	if (rc != 0) {
		fprintf(stderr, "kioskctl: trust anchors in %s: %s\n",
			o.anchors ? o.anchors : board.anchors_dir, kiosk_strerror(rc));
		return KIOSKCTL_EXIT_USAGE;
	}
	rc = kiosk_vault_setup(&vault, KIOSK_VAULT_DEFAULT_SIZE);
	if (rc != 0) {
		fprintf(stderr, "kioskctl: %s\n", kiosk_strerror(rc));
		code = exit_code_for(rc);
		goto out;
	}
	ops = hal_reader_backend(board.reader_backend);
	if (ops == NULL) {
		rc = KIOSK_ERR_CONFIG;
		fprintf(stderr, "kioskctl: reader backend %s not built in\n", board.reader_backend);
		code = exit_code_for(rc);
		goto out;
	}
	memset(&rcfg, 0, sizeof(rcfg));
	rcfg.name_pattern = o.reader ? o.reader : board.reader_pattern;
	rcfg.apdu_timeout_ms = board.apdu_timeout_ms;
	rc = hal_reader_open(&reader, ops, &rcfg);
	if (rc == 0) {
		rc = hal_reader_wait_card(&reader, true,
					  o.wait_ms > 0 ? (unsigned)o.wait_ms : board.card_wait_ms);
		if (rc == KIOSK_ERR_TIMEOUT) {
			rc = KIOSK_ERR_NO_CARD;
		}
	}
	if (rc == 0) {
		rc = hal_reader_connect(&reader);
	}
	if (rc == 0) {
		mopt.presence_proof = board.presence_proof;
		mopt.allow_sfi = board.allow_sfi;
		mopt.allow_extended = board.allow_extended;
		rc = mnc_session_init(&session, &reader, &vault, anchors, NULL, &mopt);
		if (rc == 0) {
			s = &session;
			rc = run_card_phase(s, &o, &vault, &st);
		}
	}
	if (s != NULL) {
		st.extended = s->extended;
		st.sfi = s->sfi;
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
	code = exit_code_for(rc);
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
