/* SPDX-License-Identifier: MIT */
/*
 * The pinned SMART Health Card issuer key set, from a JWKS file installed with
 * the firmware. Public data, so it lives on the heap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/ecp.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>

#include "kiosk/certificate.h"
#include "kiosk/err.h"

#include "cert_internal.h"
#include "cert_shc.h"

#define JWKS_FILE_MAX (64u * 1024u)

struct cert_key {
	char kid[44]; /* 43 base64url chars of a SHA-256 thumbprint */
	uint8_t q[65]; /* uncompressed point 04 || X || Y */
};

struct cert_keyset {
	struct cert_key keys[CERT_KEYSET_MAX];
	size_t n;
};

static int decode_coord(const struct cj_node *n, uint8_t out[32])
{
	size_t len;

	if (n == NULL || n->type != CJ_STRING ||
	    cert_b64url_decode(n->str, n->len, false, out, 32, &len) != 0 || len != 32) {
		return KIOSK_ERR_CERT_TRUST;
	}
	return 0;
}

/* RFC 7638 thumbprint of a P-256 key, base64url (43 chars + NUL). */
static int thumbprint(const char *x, const char *y, char out[44])
{
	char members[160];
	uint8_t h[32];
	size_t len;
	int n;

	n = snprintf(members, sizeof(members),
		     "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}", x, y);
	if (n < 0 || (size_t)n >= sizeof(members)) {
		return KIOSK_ERR_CERT_TRUST;
	}
	if (mbedtls_sha256_ret((const unsigned char *)members, (size_t)n, h, 0) != 0) {
		return KIOSK_ERR_CRYPTO;
	}
	return cert_b64url_encode(h, sizeof(h), out, 44, &len) == 0 && len == 43 ?
		0 : KIOSK_ERR_INTERNAL;
}

static int load_key(const struct cj_node *k, struct cert_key *out)
{
	const struct cj_node *x = cj_get_str(k, "x");
	const struct cj_node *y = cj_get_str(k, "y");
	const struct cj_node *kid = cj_get_str(k, "kid");
	const struct cj_node *use = cj_get(k, "use");
	const struct cj_node *alg = cj_get(k, "alg");
	mbedtls_ecp_group grp;
	mbedtls_ecp_point q;
	char tp[44];
	int rc;

	if (k->type != CJ_OBJECT || !cj_str_eq(cj_get(k, "kty"), "EC") ||
	    !cj_str_eq(cj_get(k, "crv"), "P-256") || cj_get(k, "d") != NULL || kid == NULL ||
	    (use != NULL && !cj_str_eq(use, "sig")) || (alg != NULL && !cj_str_eq(alg, "ES256"))) {
		return KIOSK_ERR_CERT_TRUST;
	}
	out->q[0] = 0x04;
	if (decode_coord(x, out->q + 1) != 0 || decode_coord(y, out->q + 33) != 0) {
		return KIOSK_ERR_CERT_TRUST;
	}
	/* Strict decoding made x/y canonical, so their text is the thumbprint input. */
	rc = thumbprint(x->str, y->str, tp);
	if (rc != 0) {
		return rc;
	}
	if (kid->len != 43 || memcmp(kid->str, tp, 43) != 0) {
		return KIOSK_ERR_CERT_TRUST;
	}
	memcpy(out->kid, tp, sizeof(tp));

	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&q);
	if (mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1) != 0) {
		rc = KIOSK_ERR_CRYPTO;
	} else if (mbedtls_ecp_point_read_binary(&grp, &q, out->q, sizeof(out->q)) != 0 ||
		   mbedtls_ecp_check_pubkey(&grp, &q) != 0) {
		rc = KIOSK_ERR_CERT_TRUST;
	}
	mbedtls_ecp_point_free(&q);
	mbedtls_ecp_group_free(&grp);
	return rc;
}

int cert_keyset_parse_jwks(struct cert_keyset **out, const char *json, size_t len)
{
	struct cert_keyset *ks = NULL;
	struct cert_arena a;
	struct cj_node *root;
	const struct cj_node *keys;
	void *mem = NULL;
	size_t mem_cap = 16u * 1024u + len * 4u;
	int rc;

	if (out == NULL || json == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	*out = NULL;
	if (len > JWKS_FILE_MAX) {
		return KIOSK_ERR_CERT_TRUST;
	}
	mem = malloc(mem_cap);
	ks = calloc(1, sizeof(*ks));
	if (mem == NULL || ks == NULL) {
		rc = KIOSK_ERR_NO_MEMORY;
		goto out;
	}
	cert_arena_init(&a, mem, mem_cap);
	rc = cj_parse(&a, json, len, &root);
	if (rc != 0) {
		rc = KIOSK_ERR_CERT_TRUST;
		goto out;
	}
	keys = cj_get(root, "keys");
	if (keys == NULL || keys->type != CJ_ARRAY || keys->count == 0 ||
	    keys->count > CERT_KEYSET_MAX) {
		rc = KIOSK_ERR_CERT_TRUST;
		goto out;
	}
	for (const struct cj_node *k = keys->child; k != NULL; k = k->next) {
		rc = load_key(k, &ks->keys[ks->n]);
		if (rc != 0) {
			goto out;
		}
		ks->n++;
	}
	*out = ks;
	ks = NULL;
	rc = 0;
out:
	free(mem);
	free(ks);
	return rc;
}

int cert_keyset_load_jwks(struct cert_keyset **out, const char *path)
{
	FILE *f;
	char *buf = NULL;
	size_t n;
	int rc;

	if (out == NULL || path == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	*out = NULL;
	f = fopen(path, "rb");
	if (f == NULL) {
		return KIOSK_ERR_IO;
	}
	buf = malloc(JWKS_FILE_MAX + 1);
	if (buf == NULL) {
		rc = KIOSK_ERR_NO_MEMORY;
		goto out;
	}
	n = fread(buf, 1, JWKS_FILE_MAX + 1, f);
	if (ferror(f)) {
		rc = KIOSK_ERR_IO;
		goto out;
	}
	if (n > JWKS_FILE_MAX) {
		rc = KIOSK_ERR_CERT_TRUST;
		goto out;
	}
	/* A trailing newline is whitespace to the parser. */
	rc = cert_keyset_parse_jwks(out, buf, n);
out:
	free(buf);
	fclose(f);
	return rc;
}

size_t cert_keyset_count(const struct cert_keyset *ks)
{
	return ks != NULL ? ks->n : 0;
}

void cert_keyset_free(struct cert_keyset *ks)
{
	if (ks != NULL) {
		mbedtls_platform_zeroize(ks, sizeof(*ks));
		free(ks);
	}
}

int cert_keyset_find(const struct cert_keyset *ks, const char *kid, size_t kid_len,
		     const uint8_t **q65)
{
	if (ks == NULL) {
		return KIOSK_ERR_CERT_UNKNOWN_KEY;
	}
	for (size_t i = 0; i < ks->n; i++) {
		if (kid_len == 43 && memcmp(ks->keys[i].kid, kid, 43) == 0) {
			*q65 = ks->keys[i].q;
			return 0;
		}
	}
	return KIOSK_ERR_CERT_UNKNOWN_KEY;
}
