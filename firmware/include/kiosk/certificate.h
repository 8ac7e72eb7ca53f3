/* SPDX-License-Identifier: MIT */
/*
 * The vaccination certificate: its model and the verification of the two
 * codes the center returns (SMART Health Card JWS, ICAO VDS-NC seal).
 *
 * Personal data rules:
 * - struct kiosk_certificate holds personal data: allocate it from the vault.
 * - Every verification function takes a caller-owned @scratch buffer (take it
 *   from the vault, CERT_SCRATCH_SIZE bytes). The decoded/inflated payload and
 *   the whole JSON parse tree live there: the module has its own small JSON
 *   parser that allocates only from @scratch, so no parse tree of personal
 *   data ever reaches the heap (cJSON is not used for personal data).
 *   The used part of @scratch is zeroised before every return.
 * - zlib's inflate state and window are on the heap; they are allocated through
 *   a wiping allocator (size recorded in a header, mbedtls_platform_zeroize
 *   before free), so no inflated byte survives in freed heap memory.
 * - Nothing here logs; error codes carry no personal data.
 *
 * Strings in the model are NUL-terminated UTF-8; every field has a fixed cap
 * (below). A value longer than its cap is refused (KIOSK_ERR_CERT_TOO_LARGE),
 * never truncated; a value holding a NUL or a control character is refused
 * (KIOSK_ERR_CERT_FORMAT).
 */
#ifndef KIOSK_CERTIFICATE_H
#define KIOSK_CERTIFICATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --- field limits (bytes, NUL excluded) ---------------------------------- */
#define CERT_NAME_PART_MAX 512   /* kanji family / given name (= MNC_NAME_MAX, the card's) */
#define CERT_ROMAJI_PART_MAX 64  /* romaji family / given name (ICAO pid.n is <= 39 chars) */
#define CERT_VDS_NAME_MAX 64     /* VDS-NC pid.n, "FAMILY GIVEN" */
#define CERT_PASSPORT_MAX 15     /* pid.i (ICAO: <= 11) */
#define CERT_NATIONALITY_MAX 3   /* ISO 3166 alpha-3 */
#define CERT_EXTRA_ID_MAX 24     /* pid.ai */
#define CERT_UVCI_MAX 12
#define CERT_DOSES_MAX 5         /* doses kept: the 5 most recent, like Japan's certificates */
#define CERT_DOSES_ON_RECORD_MAX 32 /* more Immunization resources than this: refused */
#define CERT_CODE_MAX 16         /* CVX (SHC) or ICD-11 des (VDS-NC) */
#define CERT_PRODUCT_MAX 64
#define CERT_MANUFACTURER_MAX 64
#define CERT_LOT_MAX 32
#define CERT_PERFORMER_MAX 128
#define CERT_ISS_MAX 128
#define CERT_ID_MAX 32           /* center certificate_id, e.g. JP-131016-000123 */
#define CERT_ISSUED_AT_MAX 32    /* center issued_at, RFC 3339 */
#define CERT_SHC_JWS_MAX 2048    /* compact JWS chars (a single QR at V22/ECC L is <= 1195) */
#define CERT_QR_TEXT_MAX (5 + 2 * CERT_SHC_JWS_MAX) /* "shc:/" + two digits per JWS char */
#define CERT_SHC_HEADER_MAX 512  /* decoded JWS header bytes */
/* inflated payload cap (beyond it: "zip bomb", KIOSK_ERR_CERT_TOO_LARGE); real cards ~1.5 KiB */
#define CERT_SHC_INFLATE_MAX (16u * 1024u)
#define CERT_VDS_MAX (8u * 1024u) /* VDS-NC seal JSON bytes (Japan's is ~1.8 KiB) */
#define CERT_KEYSET_MAX 8        /* keys in a pinned JWKS */

/** Scratch a verification needs (take it from the vault). Measured against the
 *  reference center: a 5-dose overseas SHC peaks at ~17 KiB (the 16 KiB inflate
 *  window of the cap, then the parse tree), its VDS-NC seal at ~12 KiB. When
 *  scratch runs out the call fails cleanly with KIOSK_ERR_CERT_TOO_LARGE.
 *  The model itself is ~9 KiB (sizeof(struct kiosk_certificate)). */
#define CERT_SCRATCH_SIZE (24u * 1024u)

enum cert_type { CERT_TYPE_DOMESTIC = 0, CERT_TYPE_OVERSEAS = 1 };

/** One vaccination. */
struct cert_dose {
	unsigned number;                           /* 1-based. VDS-NC: vd.seq (authoritative).
						    * SHC carries no dose number: position among
						    * the card's completed doses, oldest = 1 (an
						    * issuer that already dropped older doses
						    * makes this smaller than the real number) */
	char date[9];                              /* YYYYMMDD, a real date */
	char vaccine_code[CERT_CODE_MAX + 1];      /* SHC: CVX code; VDS-NC: ICD-11 ve.des */
	char product[CERT_PRODUCT_MAX + 1];        /* CVX table (SHC) or ve.nam; may be "" */
	char manufacturer[CERT_MANUFACTURER_MAX + 1]; /* from the CVX table; "" when unknown */
	char lot[CERT_LOT_MAX + 1];                /* may be "" */
	char performer[CERT_PERFORMER_MAX + 1];    /* performer.actor.display / vd.adm; may be "" */
	char country[CERT_NATIONALITY_MAX + 1];    /* vd.ctr (VDS-NC only), else "" */
};

/** What the VDS-NC seal says (overseas certificates). */
struct cert_vds {
	bool present;
	char issuing_state[CERT_NATIONALITY_MAX + 1]; /* hdr.is, always "JPN" when present */
	char uvci[CERT_UVCI_MAX + 1];
	char name[CERT_VDS_NAME_MAX + 1];          /* pid.n, romaji, surname first */
	char birth_date[9];                        /* pid.dob as YYYYMMDD, "" when absent */
	char passport[CERT_PASSPORT_MAX + 1];      /* pid.i, "" when absent */
	char extra_id[CERT_EXTRA_ID_MAX + 1];      /* pid.ai, "" when absent */
	/* One entry per vd element, oldest first, the 5 most recent kept. */
	struct cert_dose doses[CERT_DOSES_MAX];
	unsigned dose_count;
};

/** The certificate model. Personal data: lives in the vault. */
struct kiosk_certificate {
	/* holder (SHC Patient) */
	char family[CERT_NAME_PART_MAX + 1];       /* kanji family name */
	char given[CERT_NAME_PART_MAX + 1];        /* kanji given name(s), joined by one space;
						    * "" when the card name has no separator */
	/* overseas: the second (ASCII) Patient.name, else from the seal's pid.n, else "" */
	char romaji_family[CERT_ROMAJI_PART_MAX + 1];
	char romaji_given[CERT_ROMAJI_PART_MAX + 1];
	char birth_date[9];                        /* YYYYMMDD */
	char passport[CERT_PASSPORT_MAX + 1];      /* overseas: from the VDS-NC pid.i */
	char nationality[CERT_NATIONALITY_MAX + 1]; /* overseas: NOT in VDS-NC v1 nor the SHC;
						    * left "" for the center layer to fill */
	/* doses (SHC Immunization), OLDEST FIRST; at most the 5 most recent */
	struct cert_dose doses[CERT_DOSES_MAX];
	unsigned dose_count;                       /* entries used in doses[] */
	unsigned doses_on_record;                  /* completed doses in the card (>= dose_count) */
	/* SHC claims */
	char iss[CERT_ISS_MAX + 1];
	int64_t nbf;                               /* seconds since the epoch (fraction dropped) */
	/* from the center's answer (cert_set_issuance) */
	char certificate_id[CERT_ID_MAX + 1];
	char issued_at[CERT_ISSUED_AT_MAX + 1];
	char municipality[7];                      /* 6-digit local government code */
	enum cert_type type;
	/* the SHC exactly as verified, as QR text: "shc:/" + digits */
	char qr_text[CERT_QR_TEXT_MAX + 1];
	size_t qr_text_len;
	/* overseas */
	struct cert_vds vds;
};

/** Zeroise the whole model (mbedtls_platform_zeroize). NULL-safe. */
void cert_clear(struct kiosk_certificate *c);

/**
 * Record the center's answer fields. @certificate_id (<= CERT_ID_MAX printable
 * ASCII), @issued_at (<= CERT_ISSUED_AT_MAX printable ASCII), @municipality (6 digits).
 * @return 0, KIOSK_ERR_INVALID_ARG (NULL), KIOSK_ERR_CERT_FORMAT.
 */
int cert_set_issuance(struct kiosk_certificate *c, const char *certificate_id,
		      const char *issued_at, const char *municipality, enum cert_type type);

/* --- codecs ---------------------------------------------------------------- */

/**
 * Strict base64url decode (RFC 4648 §5): rejects characters outside the
 * alphabet, a length of 4k+1, non-zero trailing bits, and '=' unless
 * @allow_pad (then padding, if any, must be exactly right).
 * @return 0, KIOSK_ERR_CERT_FORMAT, KIOSK_ERR_BUFFER_TOO_SMALL, KIOSK_ERR_INVALID_ARG.
 */
int cert_b64url_decode(const char *in, size_t len, bool allow_pad, uint8_t *out, size_t cap,
		       size_t *out_len);

/** Strict standard base64 (RFC 4648 §4), padding required. Returns as above. */
int cert_b64_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len);

/**
 * base64url without padding into @out, NUL-terminated.
 * @return 0, KIOSK_ERR_BUFFER_TOO_SMALL (needs 4*ceil(len/3)+1 at most), KIOSK_ERR_INVALID_ARG.
 */
int cert_b64url_encode(const uint8_t *in, size_t len, char *out, size_t cap, size_t *out_len);

/**
 * RFC 8785 (JCS) canonical form of @json, for the subset VDS-NC uses:
 * objects (keys sorted by UTF-16 code units), arrays, strings (JCS escaping:
 * \" \\ \b \f \n \r \t, other controls as \u00xx, everything else as UTF-8),
 * integers with |v| <= 2^53-1, true/false/null. Floats and exponents, duplicate
 * keys, invalid UTF-8 and lone surrogates are refused.
 * @scratch holds the parse tree (zeroised before return).
 * @return 0, KIOSK_ERR_CERT_FORMAT, KIOSK_ERR_CERT_TOO_LARGE (scratch),
 *         KIOSK_ERR_BUFFER_TOO_SMALL (@out).
 */
int cert_jcs_canonicalize(const char *json, size_t len, void *scratch, size_t scratch_cap,
			  uint8_t *out, size_t cap, size_t *out_len);

/**
 * The SHC QR text for a compact JWS: "shc:/" + two digits (c - 45) per
 * character. @out gets a NUL. Characters outside '-'..'z' are refused.
 * @return 0, KIOSK_ERR_CERT_FORMAT, KIOSK_ERR_BUFFER_TOO_SMALL, KIOSK_ERR_INVALID_ARG.
 */
int cert_shc_qr_text(const char *jws, size_t len, char *out, size_t cap, size_t *out_len);

/* --- SMART Health Card -------------------------------------------------------- */

/** The pinned issuer key set (public data; heap). */
struct cert_keyset;

/**
 * Load a JWKS file: every key must be kty EC, crv P-256, with 32-byte x/y on
 * the curve, no "d", and kid equal to its RFC 7638 thumbprint; at most
 * CERT_KEYSET_MAX keys, at least one. Any bad key refuses the whole set.
 * @out receives a set to release with cert_keyset_free().
 * @return 0, KIOSK_ERR_IO (unreadable), KIOSK_ERR_CERT_TRUST, KIOSK_ERR_NO_MEMORY.
 */
int cert_keyset_load_jwks(struct cert_keyset **out, const char *path);

/** As cert_keyset_load_jwks() from JWKS text in memory. */
int cert_keyset_parse_jwks(struct cert_keyset **out, const char *json, size_t len);

/** Number of keys; 0 for NULL. */
size_t cert_keyset_count(const struct cert_keyset *ks);

/** Release a key set. NULL-safe. */
void cert_keyset_free(struct cert_keyset *ks);

/**
 * Verify a SMART Health Card compact JWS and fill @out (cleared first; on
 * failure it is left cleared).
 * Checks: 3 base64url parts; header alg ES256, zip DEF, kid in @pinned;
 * signature 64-byte r||s (DER refused) over ASCII(header "." payload);
 * payload raw DEFLATE (zlib/gzip wrapping refused; inflated size capped at
 * CERT_SHC_INFLATE_MAX); claims iss (https, no trailing '/'), nbf, exp (if
 * present, not past), vc.type contains https://smarthealth.cards#health-card;
 * FHIR Bundle with one Patient (name, full birthDate) and completed
 * Immunizations with a CVX code and a full date. Keeps the 5 most recent doses.
 * Also stores the QR text of @jws in @out->qr_text.
 * @return 0; KIOSK_ERR_CERT_FORMAT, _CERT_SIGNATURE, _CERT_UNKNOWN_KEY,
 *         _CERT_TOO_LARGE, KIOSK_ERR_INVALID_ARG, KIOSK_ERR_CRYPTO.
 */
int cert_shc_verify(const char *jws, size_t len, const struct cert_keyset *pinned,
		    struct kiosk_certificate *out, void *scratch, size_t scratch_cap);

/**
 * Parse-only steps, exposed for tests and fuzzing; they trust their input, so
 * the firmware must only call cert_shc_verify().
 * cert_shc_parse_payload(): inflate a raw-DEFLATE payload and parse its claims.
 * cert_shc_parse_claims(): parse the claims JSON.
 * Both clear @out first and return as cert_shc_verify().
 */
int cert_shc_parse_payload(const uint8_t *deflated, size_t len, struct kiosk_certificate *out,
			   void *scratch, size_t scratch_cap);
int cert_shc_parse_claims(const char *json, size_t len, struct kiosk_certificate *out,
			  void *scratch, size_t scratch_cap);

/* --- ICAO VDS-NC ------------------------------------------------------------------ */

/** The pinned CSCA certificates (public data; heap). */
struct cert_csca;

/**
 * Load one or more PEM certificates as the VDS-NC trust anchors.
 * @return 0, KIOSK_ERR_CERT_TRUST (unreadable/unparsable/empty), KIOSK_ERR_NO_MEMORY.
 */
int cert_csca_load(struct cert_csca **out, const char *pem_path);

/** Release. NULL-safe. */
void cert_csca_free(struct cert_csca *csca);

/**
 * Verify a VDS-NC seal (JSON object text, or that object wrapped in a
 * one-element array) and fill @c->vds, and @c->passport (pid.i) and, when the
 * SHC gave none, @c->romaji_family/given from pid.n. Only @c's overseas fields
 * are written (verify the SHC first, then the seal into the same model).
 * Checks: data.hdr t "icao.vacc", v 1, is "JPN"; sig.alg ES256; sig.cer
 * (base64url DER, padding accepted) chains to @csca (mbedtls_x509_crt_verify)
 * and has a P-256 key; sig.sigvl is a 64-byte r||s over the JCS form of data.
 * On failure @c->vds is cleared.
 * @return 0; KIOSK_ERR_CERT_FORMAT, _CERT_SIGNATURE, _CERT_CHAIN, _CERT_TOO_LARGE,
 *         KIOSK_ERR_INVALID_ARG, KIOSK_ERR_CRYPTO.
 */
int cert_vdsnc_verify(const char *json, size_t len, const struct cert_csca *csca,
		      struct kiosk_certificate *c, void *scratch, size_t scratch_cap);

/**
 * Parse-only (no signature, no chain), for tests and fuzzing. Fills @c->vds and
 * returns as cert_vdsnc_verify() minus the trust errors.
 */
int cert_vdsnc_parse(const char *json, size_t len, struct kiosk_certificate *c, void *scratch,
		     size_t scratch_cap);

/* --- holder binding ----------------------------------------------------------------- */

/**
 * Is @c for the holder of the card? @card_name_utf8 is the card's name (family
 * U+3000 given); @card_birth_yyyymmdd its birth date. Compares the birth date,
 * and the kanji name: runs of U+3000 / ASCII space are normalised to one
 * separator on both sides, then "family SEP given" must be byte-equal. For an
 * overseas certificate (vds.present) the seal's date of birth must match too,
 * and its pid.n must equal the SHC's romaji name (when the SHC has one).
 * @return 0, KIOSK_ERR_CERT_HOLDER_MISMATCH, KIOSK_ERR_INVALID_ARG.
 */
int cert_check_holder(const struct kiosk_certificate *c, const char *card_name_utf8,
		      const char *card_birth_yyyymmdd);

#endif /* KIOSK_CERTIFICATE_H */
