/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <mbedtls/platform_util.h>

#include "card_phase.h"
#include "kiosk/err.h"
#include "kioskctl.h"

#define PIN_BUF_MAX 32

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

int kioskctl_exit_code_for(int err)
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
	case KIOSK_ERR_CERT_TRUST:
		return KIOSKCTL_EXIT_USAGE;
	default:
		break;
	}
	/* Certificate checks (-41x) and the center and its connection (-5xx). */
	if (err <= KIOSK_ERR_CERT_FORMAT && err >= KIOSK_ERR_CERT_TRUST) {
		return KIOSKCTL_EXIT_VERIFY;
	}
	if (err <= KIOSK_ERR_NETWORK && err > KIOSK_ERR_PRINTER) {
		return KIOSKCTL_EXIT_CENTER;
	}
	if (err <= KIOSK_ERR_PRINTER && err > KIOSK_ERR_UPDATE) {
		return KIOSKCTL_EXIT_PRINTER;
	}
	return KIOSKCTL_EXIT_CARD;
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

int card_phase_prepare(const char *board_name, bool reveal, const char *anchors_override,
		       struct kiosk_board *b, struct mnc_anchors **anchors)
{
	const char *dir;
	char why[256] = "";
	int rc;

	rc = kiosk_board_load(b, board_name, why, sizeof(why));
	if (rc != 0) {
		fprintf(stderr, "kioskctl: board %s: %s\n", board_name, why);
		return rc;
	}
	if (reveal && b->production) {
		fprintf(stderr, "kioskctl: --reveal is refused on production board %s\n", b->name);
		return KIOSK_ERR_REFUSED;
	}
	dir = anchors_override ? anchors_override : b->anchors_dir;
	rc = mnc_anchors_load_dir(anchors, dir, b->production);
	if (rc != 0) {
		fprintf(stderr, "kioskctl: trust anchors in %s: %s\n", dir, kiosk_strerror(rc));
	}
	return rc;
}

int card_phase_connect(struct hal_reader *r, const struct kiosk_board *b,
		       const char *reader_override, long wait_ms)
{
	const struct hal_reader_ops *ops = hal_reader_backend(b->reader_backend);
	struct hal_reader_config rcfg;
	int rc;

	if (ops == NULL) {
		fprintf(stderr, "kioskctl: reader backend %s not built in\n", b->reader_backend);
		return KIOSK_ERR_CONFIG;
	}
	memset(&rcfg, 0, sizeof(rcfg));
	rcfg.name_pattern = reader_override ? reader_override : b->reader_pattern;
	rcfg.apdu_timeout_ms = b->apdu_timeout_ms;
	rc = hal_reader_open(r, ops, &rcfg);
	if (rc == 0) {
		rc = hal_reader_wait_card(r, true, wait_ms > 0 ? (unsigned)wait_ms : b->card_wait_ms);
		if (rc == KIOSK_ERR_TIMEOUT) {
			rc = KIOSK_ERR_NO_CARD;
		}
	}
	if (rc == 0) {
		rc = hal_reader_connect(r);
	}
	return rc;
}

/* The card phase proper: every step the kiosk takes, stopping at the first error. */
int card_phase_run(struct mnc_session *s, struct kiosk_vault *vault, bool pin_stdin,
		   const uint8_t *nonce_in, size_t nonce_len, struct card_phase_state *st)
{
	uint8_t nonce[CARD_PHASE_NONCE_LEN];
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
	if (!pin_stdin) {
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
	/* The center's challenge when there is one, else a fresh kiosk nonce. */
	if (nonce_in == NULL) {
		if (getrandom(nonce, sizeof(nonce), 0) != (ssize_t)sizeof(nonce)) {
			return KIOSK_ERR_INTERNAL;
		}
		nonce_in = nonce;
		nonce_len = sizeof(nonce);
	}
	rc = mnc_prove_presence(s, nonce_in, nonce_len);
	st->presence = mnc_presence_result_name(s->presence);
	return rc;
}
