/* SPDX-License-Identifier: MIT */
/*
 * The real services behind the flow (kiosk/flow.h): the board's reader
 * through the card module, the certificate center over mutual TLS, the
 * certificate checks, the print step. Everything personal lives in one vault
 * that end() wipes.
 */
#ifndef KIOSK_SERVICES_H
#define KIOSK_SERVICES_H

#include <stdbool.h>

#include "hal/reader.h"
#include "kiosk/board.h"
#include "kiosk/center.h"
#include "kiosk/certificate.h"
#include "kiosk/flow.h"
#include "kiosk/mynacard.h"
#include "kiosk/vault.h"

struct kiosk_services_opts {
	const char *preview_dir; /* simulated board: certificate-NNNN.pdf/.png go here */
	bool timing;             /* one "kiosk-timing" line per certificate (benchmarks) */
};

struct kiosk_services {
	const struct kiosk_board *board;
	struct kiosk_services_opts opt;
	struct kiosk_vault vault;
	struct hal_reader reader;
	struct center_client client;
	struct mnc_anchors *anchors;
	struct mnc_cert_cache *cache;
	struct cert_keyset *issuers;
	struct cert_csca *csca;
	struct mnc_session session;
	bool session_live;
	struct center_challenge challenge;
	struct center_certificate issued;
	struct kiosk_certificate *model; /* vault */
	enum center_cert_type type;
	char municipality[CENTER_MUNI_CODE_LEN + 1];
	struct center_municipality munis[FLOW_MUNIS_MAX]; /* public list, cached */
	size_t n_munis;
	long munis_at_ms;        /* when the list was fetched; 0 never */
	unsigned printed;        /* preview file counter */
	bool last_wipe_ok;       /* the vault read back all zero after the last end() */
	long card_ms, center_ms, print_ms; /* the last issuance's own waits (benchmarks) */
	double steps_ms, cpu_ms; /* card read + request + print: wall, and this process's CPU */
	struct flow_services ops;
};

/** Load anchors, pinned issuers, open the vault, the center client and the reader.
 *  Says what failed on stderr (no personal data). */
int kiosk_services_open(struct kiosk_services *k, const struct kiosk_board *b,
			const struct kiosk_services_opts *o);
void kiosk_services_close(struct kiosk_services *k);
/** Fetch the municipality list now (start-up, and when it is stale). */
int kiosk_services_refresh(struct kiosk_services *k, long now_ms);

#endif /* KIOSK_SERVICES_H */
