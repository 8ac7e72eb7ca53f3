/* SPDX-License-Identifier: MIT */
/*
 * The kiosk's card phase as tests and benchmarks drive it through a real
 * reader backend: open, wait, connect, select, certificate, tries, VERIFY,
 * reads, chain, parse, presence proof; then unpower and wipe, on every path.
 */
#ifndef TESTS_CARD_FLOW_H
#define TESTS_CARD_FLOW_H

#include <stdbool.h>

#include "kiosk/mynacard.h"
#include "kiosk/vault.h"

/* What a test expects the card to hold (invented personas only). */
struct persona {
	char my_number[13];
	char name[MNC_NAME_MAX + 1];
	char address[MNC_ADDRESS_MAX + 1];
	char birth_date[9];
	char sex;
	char pin[5];
	int tries;
};

struct read_opts {
	const char *backend;          /* "pcsc" (default) or "sim" */
	const char *reader_pattern;   /* default "Virtual PCD" */
	struct cardsim_card *sim_card; /* for the sim backend */
	const char *pin;              /* NULL: stop after the tries query */
	bool presence;
	bool no_extended;             /* board setting card.extended_length = off */
	struct mnc_cert_cache *cache;
	const struct persona *expect; /* compare the parsed data with this */
	unsigned apdu_timeout_ms;
	unsigned wait_ms;
	const uint8_t *nonce;         /* presence proof signs this (else a fixed test nonce) */
	size_t nonce_len;
	/* Called with the verified session before it ends (e.g. the certificate
	 * request); its return value becomes the outcome's rc. */
	int (*after_card)(struct mnc_session *s, void *arg);
	void *after_card_arg;
};

struct outcome {
	int rc;
	int tries_before;
	int tries_after;
	unsigned apdus;
	enum mnc_chain_result chain;
	enum mnc_presence_result presence;
	bool sfi;
	bool extended;
	bool cert_cached;
	size_t ef0004_len;    /* EF 0004 bytes held: in full even on a cache hit */
	bool data_matches;
	bool vault_wiped; /* every byte of the vault zero after the read */
	long us;          /* wall time of the whole read, microseconds */
};

/** Load tools/cardsim/personas/<name>.json from $KIOSK_PERSONAS. 0 or -1. */
int persona_load(const char *name, struct persona *p);

/** Run the card phase once with @vault and @anchors; fills @o. */
void card_flow_read(const struct read_opts *ro, struct kiosk_vault *vault,
		    const struct mnc_anchors *anchors, struct outcome *o);

/**
 * Swap the simulated card the way a resident does, through the real pcscd:
 * take it out, wait until pcscd sees the slot empty, send @insert_cmd to the
 * simulator ("insert", or "load <persona.json>"), wait until pcscd sees the
 * card. Returns 0, or a KIOSK_ERR_* / -1 (simulator refused).
 */
int card_swap(const char *insert_cmd, unsigned wait_ms);

#endif /* TESTS_CARD_FLOW_H */
