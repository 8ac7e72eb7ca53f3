/* SPDX-License-Identifier: MIT */
/*
 * The certificate center client (docs/center-protocol.md, docs/center-client.md):
 * HTTP/1.1 over mutual TLS (mbedTLS 2.28) with the center CA pinned from the
 * board, response framing by http-parser, JSON by cJSON, one function per
 * endpoint. The certificate request and answer carry personal data: they are
 * built and received in the caller's vault and never logged.
 */
#ifndef KIOSK_CENTER_H
#define KIOSK_CENTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <http_parser.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "kiosk/board.h"
#include "kiosk/vault.h"

#define CENTER_BODY_MAX (256u * 1024u)   /* response body cap (protocol) */
#define CENTER_HDR_COUNT_MAX 64u         /* response header count cap */
#define CENTER_HDR_BYTES_MAX (8u * 1024u) /* status line + header names/values */
#define CENTER_RETRIES_DEFAULT 1u        /* one retry, same request_id, never more */
#define CENTER_RETRIES_MAX 3u
#define CENTER_HOST_MAX 256
#define CENTER_PATH_MAX 256
#define CENTER_KIOSK_ID_MAX 64
#define CENTER_REQUEST_ID_LEN 32         /* lowercase hex characters */
#define CENTER_CHALLENGE_LEN 32          /* decoded challenge bytes */
#define CENTER_CHALLENGE_TEXT_MAX 64
#define CENTER_MUNI_CODE_LEN 6
#define CENTER_MUNI_NAME_MAX 128         /* bytes incl. NUL (UTF-8) */
#define CENTER_CERT_ID_MAX 64
#define CENTER_ISSUED_AT_MAX 32
#define CENTER_NATIONALITY_LEN 3         /* ISO 3166-1 alpha-3 */
/* Vault bytes one center_request_certificate() needs at most: the answer body,
 * the JSON request (base64 of the card files) and the copies handed back. */
#define CENTER_CERT_VAULT_NEED (3u * CENTER_BODY_MAX + 64u * 1024u)

/* ---- settings ---------------------------------------------------------- */

/** What the client needs; strings are borrowed for the duration of setup. */
struct center_settings {
	const char *url;         /* https://host[:port][/prefix] */
	const char *ca_file;     /* the only CA trusted for the center (PEM) */
	const char *client_cert; /* the kiosk's client certificate (PEM) */
	const char *client_key;  /* its private key (PEM) */
	const char *kiosk_id;    /* must equal the client certificate's CN */
	unsigned connect_timeout_ms;
	unsigned handshake_timeout_ms;
	unsigned read_timeout_ms;
	unsigned retries;        /* retries on busy / dropped connection (<= CENTER_RETRIES_MAX) */
};

/** Fill @s from the board's center.* keys (pointers into @b). */
void center_settings_from_board(struct center_settings *s, const struct kiosk_board *b);

/**
 * Split an https URL into host (brackets of an IPv6 literal removed), port
 * (default "443") and path prefix (no trailing '/', may be empty).
 * @return 0 or KIOSK_ERR_CONFIG (not https, empty host, bad port, too long).
 */
int center_url_parse(const char *url, char *host, size_t host_cap, char *port, size_t port_cap,
		     char *prefix, size_t prefix_cap);

/* ---- HTTP response framing (pure; fuzzed) -------------------------------- */

struct center_http_response {
	unsigned status;          /* 200..599 */
	uint8_t *body;            /* the caller's buffer; not NUL-terminated */
	size_t body_len;
	char content_type[64];    /* first 63 bytes of Content-Type, lower-cased */
};

struct center_http_parser {
	http_parser p;
	uint8_t *body;
	size_t body_cap;
	size_t body_len;
	unsigned header_count;
	size_t header_bytes;
	bool in_value;
	char field[32];
	size_t field_len;
	bool cur_is_ct;
	char content_type[64];
	size_t ct_len;
	bool complete;
	int err;                  /* KIOSK_ERR_* raised by a callback */
};

/** Start parsing one response whose body lands in @body (at most @body_cap bytes). */
void center_http_parser_init(struct center_http_parser *hp, uint8_t *body, size_t body_cap);

/**
 * Feed received bytes. Bytes after a complete response are an error.
 * @return 0 (check hp->complete), KIOSK_ERR_HTTP_PROTOCOL, KIOSK_ERR_HTTP_HEADERS_TOO_LARGE,
 *         KIOSK_ERR_HTTP_BODY_TOO_LARGE.
 */
int center_http_parser_feed(struct center_http_parser *hp, const uint8_t *data, size_t len);

/** The peer closed the stream: 0 when the response is complete, else
 *  KIOSK_ERR_CONNECTION_DROPPED. */
int center_http_parser_eof(struct center_http_parser *hp);

/** Copy the result of a complete parse into @out. */
void center_http_parser_result(const struct center_http_parser *hp,
			       struct center_http_response *out);

/**
 * Parse one whole response held in @data (the stream ends after it).
 * @return 0 and @out filled (body in @body), or a KIOSK_ERR_HTTP_* /
 *         KIOSK_ERR_CONNECTION_DROPPED code.
 */
int center_http_parse_response(const uint8_t *data, size_t len, uint8_t *body, size_t body_cap,
			       struct center_http_response *out);

/* ---- the TLS client --------------------------------------------------- */

struct center_client {
	char host[CENTER_HOST_MAX];
	char port[8];
	char prefix[CENTER_PATH_MAX];
	char kiosk_id[CENTER_KIOSK_ID_MAX];
	unsigned connect_timeout_ms;
	unsigned handshake_timeout_ms;
	unsigned read_timeout_ms;
	unsigned retries;
	unsigned retry_delay_ms;          /* pause before retrying a busy answer */
	/* May be NULL: told before each retry (the UI shows "please wait"). */
	void (*on_retry)(void *arg, unsigned attempt, int err);
	void *on_retry_arg;
	bool host_is_ip;
	uint8_t host_ip[16];              /* the IP literal, for the SAN check */
	size_t host_ip_len;

	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_x509_crt ca;
	mbedtls_x509_crt cert;
	mbedtls_pk_context key;
	mbedtls_ssl_config conf;
	mbedtls_ssl_session session;      /* from the last full handshake */
	bool have_session;
	bool ready;

	mbedtls_net_context net;
	mbedtls_ssl_context ssl;
	bool connected;

	/* Diagnostics (no personal data): */
	bool last_resumed;                /* the last handshake resumed the saved session */
	uint32_t last_verify_flags;       /* mbedtls_ssl_get_verify_result() of a failure */
	int last_lib_err;                 /* last mbedTLS/errno code, never returned */
	int last_alert;                   /* TLS alert description received, -1 none */
	unsigned long handshakes_full;
	unsigned long handshakes_resumed;
	unsigned long bytes_sent;         /* application bytes written, all connections */
};

/** Zero the struct; cannot fail. */
void center_client_init(struct center_client *c);

/**
 * Load the pinned CA, the client certificate and key, seed the DRBG and build
 * the TLS configuration (TLS 1.2+, ECDHE + AES-GCM / ChaCha20-Poly1305 only).
 * @return 0, KIOSK_ERR_CONFIG (bad URL, unreadable/invalid PEM, key mismatch,
 *         kiosk_id not the client certificate's CN),
 *         KIOSK_ERR_CRYPTO.
 */
int center_client_setup(struct center_client *c, const struct center_settings *s);

/** Disconnect, forget the session, free and zeroise. NULL-safe, idempotent. */
void center_client_free(struct center_client *c);

/**
 * Connect (non-blocking connect with the connect timeout), then handshake
 * within the handshake timeout, offering the saved session. Nothing is sent
 * beyond the handshake until it has verified.
 * @return 0; KIOSK_ERR_CENTER_UNREACHABLE, KIOSK_ERR_CONNECT_TIMEOUT,
 *   KIOSK_ERR_TLS_HANDSHAKE_TIMEOUT, KIOSK_ERR_TLS_UNTRUSTED, KIOSK_ERR_TLS_EXPIRED,
 *   KIOSK_ERR_TLS_WRONG_HOST, KIOSK_ERR_TLS_CLIENT_CERT_REFUSED, KIOSK_ERR_TLS_HANDSHAKE.
 */
int center_connect(struct center_client *c);

/** Close the connection (close_notify best effort). NULL-safe. */
void center_disconnect(struct center_client *c);

/** Drop the saved TLS session so the next handshake is a full one. */
void center_forget_session(struct center_client *c);

/**
 * One request/response on a fresh verified connection ("Connection: close").
 * @path is appended to the URL prefix. @body may be NULL (then no body).
 * @scratch (>= 1 KiB) receives raw TLS plaintext; put it in the vault when the
 * answer is personal. The answer's body lands in @resp_body.
 * @return 0 (any HTTP status), a center_connect() error, KIOSK_ERR_READ_TIMEOUT,
 *         KIOSK_ERR_CONNECTION_DROPPED, KIOSK_ERR_NETWORK, KIOSK_ERR_HTTP_*.
 */
int center_http_exchange(struct center_client *c, const char *method, const char *path,
			 const uint8_t *body, size_t body_len, uint8_t *resp_body,
			 size_t resp_cap, uint8_t *scratch, size_t scratch_cap,
			 struct center_http_response *resp);

/* ---- the center API -------------------------------------------------- */

struct center_municipality {
	char code[CENTER_MUNI_CODE_LEN + 1];
	char name_ja[CENTER_MUNI_NAME_MAX];
	char name_en[CENTER_MUNI_NAME_MAX];
	bool overseas;
};

struct center_challenge {
	char text[CENTER_CHALLENGE_TEXT_MAX];   /* as received (base64url) */
	uint8_t bytes[CENTER_CHALLENGE_LEN];    /* decoded: what the card signs the hash of */
	unsigned expires_in;                    /* seconds */
};

enum center_cert_type { CENTER_CERT_DOMESTIC = 0, CENTER_CERT_OVERSEAS = 1 };

/** The card evidence exactly as read; every pointer into the vault. */
struct center_cert_request {
	char request_id[CENTER_REQUEST_ID_LEN + 1]; /* from center_new_request_id() */
	const char *municipality;                   /* 6 digits */
	enum center_cert_type type;
	const char *challenge;                      /* center_challenge.text */
	const uint8_t *ef0001; size_t ef0001_len;
	const uint8_t *ef0002; size_t ef0002_len;
	const uint8_t *ef0003; size_t ef0003_len;
	const uint8_t *ef0004; size_t ef0004_len;
	const uint8_t *ef0007; size_t ef0007_len;
	const uint8_t *signature; size_t signature_len; /* the card's 80 2A signature */
};

/** The issued certificate; the strings live in the vault given to the call. */
struct center_certificate {
	char certificate_id[CENTER_CERT_ID_MAX];
	char issued_at[CENTER_ISSUED_AT_MAX];
	char municipality[CENTER_MUNI_CODE_LEN + 1];
	enum center_cert_type type;
	char *shc;              /* compact JWS, NUL-terminated */
	size_t shc_len;
	char *vdsnc;            /* minified JSON text of the seal; NULL for domestic */
	size_t vdsnc_len;
	/* Overseas: the municipality's passport registration ("JPN"), "" when the
	 * answer has none. Not covered by the seal's signature: only mutual TLS. */
	char nationality[CENTER_NATIONALITY_LEN + 1];
};

/** Draw a fresh request_id (32 lowercase hex) from the client's DRBG: once per
 *  resident request; retries reuse it. @return 0 or KIOSK_ERR_CRYPTO. */
int center_new_request_id(struct center_client *c, char out[CENTER_REQUEST_ID_LEN + 1]);

/**
 * GET /v1/municipalities into @out (caller's array of @cap entries).
 * @return 0 and *@n; a transport error; KIOSK_ERR_CENTER_PROTOCOL (schema,
 *         more than @cap entries); a typed center error.
 */
int center_get_municipalities(struct center_client *c, struct center_municipality *out,
			      size_t cap, size_t *n);

/** POST /v1/challenges for this kiosk. */
int center_post_challenge(struct center_client *c, struct center_challenge *out);

/**
 * POST /v1/certificates. The JSON request is built in @v, the answer received
 * in @v (needs CENTER_CERT_VAULT_NEED free bytes). A `busy` answer, a dropped
 * connection or a read timeout is retried up to c->retries times with the
 * same request_id. cJSON's heap copies are wiped (center_json_install_wiping_hooks()).
 * @return 0 and @out; a transport/TLS error; a typed KIOSK_ERR_CENTER_* error.
 */
int center_request_certificate(struct center_client *c, const struct center_cert_request *req,
			       struct kiosk_vault *v, struct center_certificate *out);

/* ---- pure JSON pieces (unit-tested, fuzzed) --------------------------- */

/** Make cJSON zeroise every block it frees (process-wide; idempotent). Plain
 *  free() stays valid for cJSON's outputs. */
void center_json_install_wiping_hooks(void);

/** The typed error of a non-2xx answer: the `error` field mapped to
 *  KIOSK_ERR_CENTER_*, else by HTTP status (503 busy, 500 internal, else protocol). */
int center_parse_error(unsigned status, const uint8_t *body, size_t len);

/** Parse a municipality list answer body. */
int center_parse_municipalities(const uint8_t *body, size_t len, struct center_municipality *out,
				size_t cap, size_t *n);

/**
 * Render @n municipalities as the protocol's minified list JSON
 * ({"version":1,"municipalities":[...]}) into @out, for kioskctl.
 * @return 0 and *@out_len (a NUL follows); KIOSK_ERR_BUFFER_TOO_SMALL; KIOSK_ERR_NO_MEMORY.
 */
int center_municipalities_to_json(const struct center_municipality *m, size_t n, char *out,
				  size_t cap, size_t *out_len);

/** Parse a challenge answer body. */
int center_parse_challenge(const uint8_t *body, size_t len, struct center_challenge *out);

/**
 * Parse an `issued` answer body; @expect is the requested type. Strings go to @v.
 * `nationality` (overseas only) must be 3 ASCII upper-case letters when present:
 * absent leaves out->nationality "", malformed is KIOSK_ERR_CENTER_PROTOCOL. A
 * domestic answer's `nationality` is ignored (as its `vdsnc` is).
 */
int center_parse_certificate(const uint8_t *body, size_t len, enum center_cert_type expect,
			     struct kiosk_vault *v, struct center_certificate *out);

/**
 * Build the POST /v1/certificates JSON (minified, fields in protocol order,
 * base64 with padding) into @out (put it in the vault).
 * @return 0 and *@out_len (excluding the NUL written after it);
 *         KIOSK_ERR_INVALID_ARG (bad id/code/challenge charset, missing file);
 *         KIOSK_ERR_BUFFER_TOO_SMALL.
 */
int center_build_certificate_request(const char *kiosk_id, const struct center_cert_request *req,
				     char *out, size_t cap, size_t *out_len);

#endif /* KIOSK_CENTER_H */
