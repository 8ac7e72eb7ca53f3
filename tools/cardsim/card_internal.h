/* SPDX-License-Identifier: MIT */
/*
 * Inside the simulated card: the object behind struct cardsim_card, shared by
 * the model's source files (card_model.c, card_files.c, faults.c, atr.c).
 */
#ifndef CARDSIM_CARD_INTERNAL_H
#define CARDSIM_CARD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cardsim/cardsim.h"
#include "persona.h"
#include "pki.h"

/* File identifiers inside the kenhojo AP (mynacard.md 1.3). */
#define FID_MY_NUMBER 0x0001
#define FID_BASIC4 0x0002
#define FID_RECORD 0x0003
#define FID_CERT 0x0004
#define FID_AP_INFO 0x0005
#define FID_SM_KEY 0x0006
#define FID_SIGNED_KEY 0x0007
#define FID_UNKNOWN_08 0x0008
#define FID_PIN 0x0011
#define FID_BLOCKED_KEY 0x0012
#define FID_CODE_A 0x0014
#define FID_CODE_B 0x0015

#define CARDSIM_EF_COUNT 12
#define CARDSIM_CHAIN_MAX 4096 /* largest chained response (EF 0002 is at most ~1.3 KiB) */

enum cardsim_tamper {
	TAMPER_NONE = 0,
	TAMPER_MY_NUMBER, /* EF 0001 digit changed after signing, check digit recomputed */
	TAMPER_BASIC4,    /* DF25 sex byte changed after signing */
	TAMPER_RECORD,    /* a byte of DF31 flipped after signing */
	TAMPER_CERT,      /* a modulus byte in the EF 0004 body flipped after the CA signed */
};

enum cardsim_ef_kind {
	EF_BINARY,  /* transparent EF, READ BINARY */
	EF_KEY_REF, /* PIN / key reference: SELECT then VERIFY, never read */
};

struct cardsim_ef {
	uint16_t fid;
	enum cardsim_ef_kind kind;
	bool needs_pin;
	uint8_t *data; /* owned, EF_BINARY only */
	size_t len;
};

struct cardsim_faults {
	long remove_after;  /* -1 off; 0 = pull on the next APDU without answering */
	long mute_after;    /* -1 off */
	unsigned delay_ms;
	unsigned reinsert_ms; /* front ends: re-insert after remove_after; 0 = stay out */
	bool first_6f00;
	bool chain_61xx;
	bool wrong_le_6c;
	bool no_sfi;
	bool no_extended;
	bool ext_atr_only;
	enum cardsim_tamper tamper;
	bool unknown_ca;
	bool not_mynumber;
	bool replay;
};

struct cardsim_card {
	struct cardsim_persona persona;
	struct cardsim_pki pki;
	struct cardsim_faults faults;
	struct cardsim_ef ef[CARDSIM_EF_COUNT];
	size_t ef_count;

	/* Card state. The retry counter survives power cycles; the rest does not. */
	int tries;
	bool present;
	bool powered;
	bool ap_selected;
	int current_ef;     /* index into ef[], -1 for none */
	bool verified;      /* security status of key 0011 */
	bool muted;         /* latched by mute_after until unmuted or removed */
	bool first_cmd;     /* no command answered since power-on (fault first_6f00) */

	/* Pending response data for GET RESPONSE (fault chain_61xx). */
	uint8_t chain[CARDSIM_CHAIN_MAX];
	size_t chain_len;
	size_t chain_off;

	unsigned long since_insert; /* APDUs since insertion (mute_after) */
	unsigned long since_power;  /* APDUs since insertion or power-on (remove_after) */
	unsigned long apdu_total;   /* APDUs since the last log clear */
	unsigned verify_count;

	struct cardsim_log_entry log[CARDSIM_LOG_MAX]; /* ring */
	size_t log_start;
	size_t log_count;
};

/** (Re)build every EF from the persona, the keys and the file faults. */
int cardsim_files_build(struct cardsim_card *c);

/** Release the EF buffers (zeroised). */
void cardsim_files_free(struct cardsim_card *c);

/** The EF with @fid, or NULL. */
struct cardsim_ef *cardsim_file_find(struct cardsim_card *c, uint16_t fid);

/** Fault defaults, then the persona's options applied on top. */
void cardsim_faults_reset(struct cardsim_card *c);

/** Append one BER length (short, 81 xx or 82 xx xx) at @p; @return bytes written. */
size_t cardsim_ber_len(uint8_t *p, size_t len);

#endif /* CARDSIM_CARD_INTERNAL_H */
