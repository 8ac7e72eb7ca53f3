/* SPDX-License-Identifier: MIT */
/*
 * The reference certificate center (TEST TOOL): what QA and CI run in place of
 * the national certificate center and its vaccination record system. It serves
 * docs/center-protocol.md over HTTPS with client certificates.
 *
 * Internal header of tools/center: every module's prototypes, so each file
 * stays small and each piece is unit-testable without a socket.
 */
#ifndef REFCENTER_CENTER_H
#define REFCENTER_CENTER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>

#include "kiosk/mynacard.h"

#define RC_KIOSK_ID_MAX 64
#define RC_REQUEST_ID_LEN 32
#define RC_CHALLENGE_LEN 32
#define RC_CHALLENGE_TTL_MS 60000
#define RC_IDEM_TTL_MS (10 * 60 * 1000)
#define RC_IDEM_MAX 200000 /* stored answers; beyond that new requests get busy */
#define RC_BODY_MAX (64u * 1024u)
#define RC_SHC_DOSES_MAX 5
#define RC_DOSES_MAX 16
#define RC_MUNI_MAX 16

/* --- base64 (b64.c) --- */

/** Standard alphabet with padding (the request's card files). @return 0 or -1. */
int rc_b64_decode(const char *in, uint8_t *out, size_t cap, size_t *out_len);
/** base64url; @pad adds '=' (VDS-NC cer). @return 0 or -1 (NUL-terminated, @cap too small). */
int rc_b64url_encode(const uint8_t *in, size_t len, bool pad, char *out, size_t cap);
/** base64url, padding optional. @return 0 or -1. */
int rc_b64url_decode(const char *in, uint8_t *out, size_t cap, size_t *out_len);
/** Monotonic milliseconds. */
int64_t rc_now_ms(void);

/* --- growable byte buffer (buf.c) --- */
struct rc_buf {
	char *p;
	size_t len;
	size_t cap;
};
int rc_buf_add(struct rc_buf *b, const void *data, size_t len);
int rc_buf_str(struct rc_buf *b, const char *s);
/** Wipe and free; NULL-safe, idempotent. */
void rc_buf_free(struct rc_buf *b);
/** Wipe every string and key of a cJSON tree, then delete it. NULL-safe. */
void rc_json_wipe_delete(cJSON *v);

/* --- RFC 8785 canonical JSON for the subset we emit (jcs.c) --- */
/** Objects (keys sorted by UTF-16 code units), arrays, strings, integers, bools, null.
 *  @return 0, or -1 for a non-integer number or out of memory. */
int rc_jcs(const cJSON *v, struct rc_buf *out);

/* --- records: one SQLite database per municipality (records.c) --- */
struct rc_municipality {
	char code[7];
	char name_ja[64];
	char name_en[64];
	bool participating;
	bool overseas;
};

struct rc_dose {
	char date[11]; /* YYYY-MM-DD */
	char cvx[8];
	char lot[24];
};

/** What the VRS stand-in holds for one resident in one municipality. */
struct rc_resident {
	bool overseas;       /* passport registration on record */
	char romaji[40];     /* surname first, upper case */
	char passport[12];
	char nationality[4];
	char sex[2];         /* "", "M", "F", "X" */
	struct rc_dose doses[RC_DOSES_MAX]; /* oldest first */
	size_t n_doses;
};

struct rc_records;
/** Load @dir/municipalities.json and one @dir/records-<code>.json per municipality
 *  into a private in-memory SQLite database each. @return 0 or -1. */
int rc_records_open(struct rc_records **out, const char *dir);
void rc_records_free(struct rc_records *r);
size_t rc_records_count(const struct rc_records *r);
const struct rc_municipality *rc_records_at(const struct rc_records *r, size_t i);
const struct rc_municipality *rc_records_find(const struct rc_records *r, const char *code);
/**
 * Records of @my_number in municipality @code's database only.
 * @return 1 found (@out filled), 0 none, -1 error. @out is wiped first.
 */
int rc_records_lookup(struct rc_records *r, const char *code, const char *my_number,
		      struct rc_resident *out);

/* --- challenges (challenges.c) --- */
struct rc_challenges;
struct rc_challenges *rc_challenges_new(size_t max);
void rc_challenges_free(struct rc_challenges *c);
/** Store @nonce for @kiosk until @now_ms + ttl. @return 0 or -1 (full). */
int rc_challenges_add(struct rc_challenges *c, const char *kiosk, const uint8_t *nonce,
		      int64_t now_ms, int64_t ttl_ms);
/** Accept once: known, unexpired, bound to @kiosk. Removes it. @return 0 or -1. */
int rc_challenges_take(struct rc_challenges *c, const char *kiosk, const uint8_t *nonce,
		       size_t len, int64_t now_ms);

/* --- idempotency store (idem.c) --- */
struct rc_idem;
struct rc_idem *rc_idem_new(void);
/** Wipes every stored answer. NULL-safe. */
void rc_idem_free(struct rc_idem *s);
/** A copy of the stored answer (caller frees) or NULL. Sweeps expired entries. */
char *rc_idem_get(struct rc_idem *s, const char *kiosk, const char *rid, int64_t now_ms,
		  int *http);
/** Store a copy of @body. @now_ms must not go backwards. @return 0 or -1 (full). */
int rc_idem_put(struct rc_idem *s, const char *kiosk, const char *rid, int http,
		const char *body, int64_t now_ms);
/** Wipe entries older than the window. @return how many were wiped. */
size_t rc_idem_sweep(struct rc_idem *s, int64_t now_ms);
size_t rc_idem_count(const struct rc_idem *s);

/* --- request validation (request.c) --- */
struct rc_cert_request {
	char request_id[RC_REQUEST_ID_LEN + 1];
	char kiosk_id[RC_KIOSK_ID_MAX];
	char municipality[7];
	bool overseas;
	uint8_t ef0001[64];
	size_t ef0001_len;
	uint8_t ef0002[MNC_EF_MAX];
	size_t ef0002_len;
	uint8_t ef0003[MNC_EF_MAX];
	size_t ef0003_len;
	uint8_t ef0004[MNC_EF_MAX];
	size_t ef0004_len;
	uint8_t ef0007[MNC_EF_MAX];
	size_t ef0007_len;
	uint8_t challenge[RC_CHALLENGE_LEN];
	uint8_t signature[MNC_RSA_BYTES];
};
/** Parse and bound-check a /v1/certificates body. @out wiped on failure. @return 0 or -1. */
int rc_request_parse(const char *body, size_t len, struct rc_cert_request *out);
/** Parse {"kiosk_id":...}. @return 0 or -1. */
int rc_challenge_request_parse(const char *body, size_t len, char *kiosk, size_t cap);

/* --- signing keys and SHC / VDS-NC building (keys.c, shc.c, vdsnc.c) --- */
struct rc_keys {
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_pk_context shc;
	mbedtls_pk_context rogue;
	mbedtls_pk_context vds;
	char kid[64];
	char rogue_kid[64];
	uint8_t *vds_cer;   /* DER of vdsnc-signer.crt.pem */
	size_t vds_cer_len;
	char *jwks;         /* shc-jwks.json text */
};
/** Load from the center PKI dir. @return 0 or -1. */
int rc_keys_load(struct rc_keys *k, const char *pki_dir);
void rc_keys_free(struct rc_keys *k);
/** ES256 over SHA-256(@msg) as 64-byte r||s. @return 0 or -1. */
int rc_es256_sign(struct rc_keys *k, mbedtls_pk_context *key, const uint8_t *msg, size_t len,
		  uint8_t rs[64]);
int rc_random(struct rc_keys *k, uint8_t *out, size_t len);

/** The holder as certified: kanji (from the verified card) and birth date. */
struct rc_holder {
	char family[MNC_NAME_MAX + 1];
	char given[MNC_NAME_MAX + 1];
	char birth_date[11]; /* YYYY-MM-DD */
};

/**
 * FHIR bundle (Patient + the <= 5 most recent doses) as a cJSON tree.
 * @romaji (may be NULL) adds a second name. Caller deletes.
 */
cJSON *rc_fhir_bundle(const struct rc_holder *h, const char *romaji,
		      const struct rc_resident *res);
/** The compact JWS; *out malloc'd (caller frees). @return 0 or -1. */
int rc_shc_build(struct rc_keys *k, bool rogue, const char *iss, int64_t nbf,
		 const struct rc_holder *h, const char *romaji, const struct rc_resident *res,
		 char **out);
/** The VDS-NC seal object {data, sig}. Caller deletes. NULL on failure. */
cJSON *rc_vdsnc_build(struct rc_keys *k, const char *uvci, const struct rc_holder *h,
		      const struct rc_resident *res);

/* --- fault switches (faults.c) --- */
enum rc_fault {
	RC_FAULT_DELAY_MS = 0,
	RC_FAULT_DROP,
	RC_FAULT_HTTP_500,
	RC_FAULT_HTTP_503,
	RC_FAULT_MALFORMED_JSON,
	RC_FAULT_OVERSIZED_BODY,
	RC_FAULT_ROGUE_KID,
	RC_FAULT_OTHER_PERSON,
	RC_FAULT_COUNT
};
struct rc_faults {
	pthread_mutex_t lock;
	long v[RC_FAULT_COUNT];
};
void rc_faults_init(struct rc_faults *f);
/** "name=value" or name + value. Values: integers, on/off/true/false. @return 0 or -1. */
int rc_faults_set(struct rc_faults *f, const char *name, const char *value);
int rc_faults_set_arg(struct rc_faults *f, const char *name_eq_value);
/** delay_ms: the value. Others: consume one hit (count > 0 decrements; -1 = always). */
bool rc_faults_take(struct rc_faults *f, enum rc_fault which);
long rc_faults_get(struct rc_faults *f, enum rc_fault which);
/** The switches as a JSON object text (malloc'd). */
char *rc_faults_json(struct rc_faults *f);

/* --- the center: state and endpoint logic without HTTP (center.c) --- */
struct rc_center {
	pthread_mutex_t lock; /* records, challenges, idempotency, DRBG */
	struct rc_records *records;
	struct rc_challenges *challenges;
	struct rc_idem *idem;
	struct mnc_anchors *anchors;
	struct rc_keys keys;
	struct rc_faults faults;
	char iss[256];
	unsigned long serial;
};
int rc_center_open(struct rc_center *c, const char *pki, const char *anchors,
		   const char *data, const char *iss);
void rc_center_close(struct rc_center *c);

/** One HTTP answer: status and a malloc'd JSON body. */
struct rc_answer {
	int http;
	char *body;
};
void rc_answer_free(struct rc_answer *a);
/** An error answer per the protocol's table. */
void rc_answer_error(struct rc_answer *a, const char *code);

void rc_handle_municipalities(struct rc_center *c, struct rc_answer *a);
void rc_handle_challenge(struct rc_center *c, const char *client_cn, const char *body,
			 size_t len, struct rc_answer *a);
/** /v1/certificates. @rid_out (>= 33 bytes) gets the request id for the log ("-" if none). */
void rc_handle_certificate(struct rc_center *c, const char *client_cn, const char *body,
			   size_t len, struct rc_answer *a, char *rid_out);

/* --- HTTPS front end (server.c) --- */
struct rc_server;
struct rc_server_opts {
	const char *pki;
	const char *server_cert; /* "normal", "expired", "wronghost" */
	const char *bind;        /* IPv4 address */
	unsigned port;
	unsigned admin_port;     /* 0 = pick */
	bool admin_port_set;     /* --admin-port given */
};
int rc_server_start(struct rc_server **out, struct rc_center *c,
		    const struct rc_server_opts *o, unsigned *port, unsigned *admin_port);
void rc_server_stop(struct rc_server *s);

#endif /* REFCENTER_CENTER_H */
