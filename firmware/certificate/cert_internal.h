/* SPDX-License-Identifier: MIT */
/*
 * Internals of kiosk_certificate: the scratch arena, the small JSON parser
 * whose parse tree lives in that arena (so personal data never reaches the
 * heap), field copying and ES256 verification.
 */
#ifndef CERT_INTERNAL_H
#define CERT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/ecp.h>

/* A bump allocator over caller-owned (vault) memory. */
struct cert_arena {
	uint8_t *base;
	size_t cap;
	size_t used;
	size_t high;  /* largest 'used', so cert_arena_wipe() clears all of it */
};

void cert_arena_init(struct cert_arena *a, void *mem, size_t cap);
/* @n zeroed bytes, 8-aligned; NULL when exhausted. */
void *cert_arena_alloc(struct cert_arena *a, size_t n);
/* Zeroise everything handed out. */
void cert_arena_wipe(struct cert_arena *a);

enum cj_type { CJ_NULL, CJ_FALSE, CJ_TRUE, CJ_NUMBER, CJ_STRING, CJ_ARRAY, CJ_OBJECT };

struct cj_node {
	enum cj_type type;
	const char *key;       /* member name (decoded UTF-8, NUL-terminated) inside an object */
	size_t key_len;
	const char *str;       /* decoded string, or the raw text of a number; NUL-terminated */
	size_t len;
	bool is_int;           /* number without fraction/exponent, |v| <= 2^53-1 */
	int64_t ival;
	struct cj_node *child; /* first element / member */
	struct cj_node *next;
	size_t count;
};

#define CJ_MAX_DEPTH 24
#define CJ_MAX_MEMBERS 256

/*
 * Parse @len bytes of JSON (RFC 8259, strict: UTF-8 validated, no BOM, no
 * trailing data, duplicate member names refused). Nodes and strings are
 * allocated from @a. @return 0, KIOSK_ERR_CERT_FORMAT, KIOSK_ERR_CERT_TOO_LARGE.
 */
int cj_parse(struct cert_arena *a, const char *json, size_t len, struct cj_node **root);

/* Member @key of object @obj, or NULL. */
const struct cj_node *cj_get(const struct cj_node *obj, const char *key);
/* Member @key when it is a string, else NULL. */
const struct cj_node *cj_get_str(const struct cj_node *obj, const char *key);
/* True when @n is a string equal to @s. */
bool cj_str_eq(const struct cj_node *n, const char *s);

/* JCS of @n into @out. @return 0, KIOSK_ERR_CERT_FORMAT, KIOSK_ERR_BUFFER_TOO_SMALL. */
int cj_write_jcs(const struct cj_node *n, uint8_t *out, size_t cap, size_t *out_len);

/*
 * Copy string node @n into @dst (cap bytes including the NUL). Refuses NUL and
 * control characters (KIOSK_ERR_CERT_FORMAT) and overlong values
 * (KIOSK_ERR_CERT_TOO_LARGE). A NULL @n is KIOSK_ERR_CERT_FORMAT.
 */
int cert_copy_str(char *dst, size_t cap, const struct cj_node *n);
/* Same, but a missing (NULL) node yields "". */
int cert_copy_opt(char *dst, size_t cap, const struct cj_node *n);

/* "YYYY-MM-DD" (a real Gregorian date, year 1900-2199) at the start of @s
 * (exactly @s when !prefix_ok) to "YYYYMMDD". @return 0 or KIOSK_ERR_CERT_FORMAT. */
int cert_date_iso_to_compact(const char *s, size_t len, bool prefix_ok, char out[9]);
/* Check "YYYYMMDD" is a real date. */
bool cert_date_compact_valid(const char *s);

/*
 * ES256: verify 64-byte r||s @sig over SHA-256 @hash with public key @q on
 * @grp. @return 0, KIOSK_ERR_CERT_SIGNATURE, KIOSK_ERR_CRYPTO.
 */
int cert_es256_verify(const mbedtls_ecp_group *grp, const mbedtls_ecp_point *q,
		      const uint8_t hash[32], const uint8_t sig[64]);

/* Compare two UTF-8 strings by UTF-16 code units (JCS key order). */
int cert_utf16_cmp(const char *a, size_t alen, const char *b, size_t blen);

#endif /* CERT_INTERNAL_H */
