/* SPDX-License-Identifier: MIT */
/*
 * SMART Health Card verification: compact JWS (ES256, raw r||s) over a raw
 * DEFLATE payload holding JWT claims with a FHIR Bundle (certificate-formats.md
 * §1, §2.3). Signature first, then inflate and parse, all in vault scratch.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/ecp.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>
#include <zlib.h>

#include "kiosk/certificate.h"
#include "kiosk/err.h"

#include "cert_internal.h"
#include "cert_shc.h"

#define SHC_TYPE_HEALTH_CARD "https://smarthealth.cards#health-card"
#define CVX_SYSTEM "http://hl7.org/fhir/sid/cvx"

int cert_shc_qr_text(const char *jws, size_t len, char *out, size_t cap, size_t *out_len)
{
	size_t o = 5;

	if (jws == NULL || out == NULL || out_len == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	*out_len = 0;
	if (cap == 0) {
		return KIOSK_ERR_BUFFER_TOO_SMALL;
	}
	out[0] = '\0';
	if (len > (cap - 1 - 5) / 2 || cap < 6) {
		return KIOSK_ERR_BUFFER_TOO_SMALL;
	}
	memcpy(out, "shc:/", 5);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)jws[i];

		if (c < '-' || c > 'z') {
			mbedtls_platform_zeroize(out, o);
			out[0] = '\0';
			return KIOSK_ERR_CERT_FORMAT;
		}
		out[o++] = (char)('0' + (c - 45) / 10);
		out[o++] = (char)('0' + (c - 45) % 10);
	}
	out[o] = '\0';
	*out_len = o;
	return 0;
}

/* --- inflate with a wiping allocator ------------------------------------------------- */

/* zlib's state and window hold inflated personal data: record each block's size in
 * a header so it can be zeroised before free. */
#define ZHDR 16u

static voidpf wipe_zalloc(voidpf opaque, uInt items, uInt size)
{
	size_t n;
	unsigned char *p;

	(void)opaque;
	if (size != 0 && items > (SIZE_MAX - ZHDR) / size) {
		return Z_NULL;
	}
	n = (size_t)items * size;
	p = calloc(1, n + ZHDR);
	if (p == NULL) {
		return Z_NULL;
	}
	memcpy(p, &n, sizeof(n));
	return p + ZHDR;
}

static void wipe_zfree(voidpf opaque, voidpf address)
{
	unsigned char *p;
	size_t n;

	(void)opaque;
	if (address == Z_NULL) {
		return;
	}
	p = (unsigned char *)address - ZHDR;
	memcpy(&n, p, sizeof(n));
	mbedtls_platform_zeroize(p, n + ZHDR);
	free(p);
}

static int inflate_raw(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
	z_stream zs;
	int zrc;
	int rc;

	*out_len = 0;
	if (len < 2 || len > UINT32_MAX || cap > UINT32_MAX) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	/* A zlib header (CM 8, FCHECK) is never how a raw deflater starts: it would
	 * be a stored block with non-zero padding bits. Refuse it explicitly. */
	if ((in[0] & 0x0F) == 0x08 && (((unsigned)in[0] << 8) | in[1]) % 31 == 0) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	memset(&zs, 0, sizeof(zs));
	zs.zalloc = wipe_zalloc;
	zs.zfree = wipe_zfree;
	if (inflateInit2(&zs, -15) != Z_OK) {
		return KIOSK_ERR_NO_MEMORY;
	}
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	zrc = inflate(&zs, Z_FINISH);
	if (zrc == Z_STREAM_END) {
		/* Trailing bytes (a zlib/gzip trailer, junk) are refused. */
		rc = zs.avail_in == 0 ? 0 : KIOSK_ERR_CERT_FORMAT;
		*out_len = rc == 0 ? zs.total_out : 0;
	} else if ((zrc == Z_BUF_ERROR || zrc == Z_OK) && zs.avail_out == 0) {
		rc = KIOSK_ERR_CERT_TOO_LARGE; /* zip bomb: more than the cap */
	} else if (zrc == Z_MEM_ERROR) {
		rc = KIOSK_ERR_NO_MEMORY;
	} else {
		rc = KIOSK_ERR_CERT_FORMAT;
	}
	inflateEnd(&zs);
	return rc;
}

/* --- claims ---------------------------------------------------------------------------------- */

static bool is_ascii_str(const struct cj_node *n)
{
	for (size_t i = 0; n != NULL && i < n->len; i++) {
		if ((unsigned char)n->str[i] >= 0x80) {
			return false;
		}
	}
	return true;
}

/* given[] joined with one ASCII space; absent -> "" (a card name without a
 * family/given separator is issued as family only). */
static int join_given(char *dst, size_t cap, const struct cj_node *given)
{
	size_t o = 0;
	int rc;

	dst[0] = '\0';
	if (given == NULL) {
		return 0;
	}
	if (given->type != CJ_ARRAY || given->count == 0) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	for (const struct cj_node *g = given->child; g != NULL; g = g->next) {
		if (o > 0) {
			if (o + 1 >= cap) {
				return KIOSK_ERR_CERT_TOO_LARGE;
			}
			dst[o++] = ' ';
		}
		rc = cert_copy_str(dst + o, cap - o, g);
		if (rc != 0) {
			return rc;
		}
		if (dst[o] == '\0') {
			return KIOSK_ERR_CERT_FORMAT;
		}
		o += strlen(dst + o);
	}
	return 0;
}

static bool given_ascii(const struct cj_node *given)
{
	if (given == NULL) {
		return true;
	}
	if (given->type != CJ_ARRAY) {
		return false;
	}
	for (const struct cj_node *g = given->child; g != NULL; g = g->next) {
		if (g->type != CJ_STRING || !is_ascii_str(g)) {
			return false;
		}
	}
	return true;
}

static int parse_patient(const struct cj_node *p, struct kiosk_certificate *out)
{
	const struct cj_node *names = cj_get(p, "name");
	const struct cj_node *primary = NULL;
	const struct cj_node *bd = cj_get_str(p, "birthDate");
	int rc;

	if (names == NULL || names->type != CJ_ARRAY || names->count == 0 || bd == NULL) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	/* The card (kanji) name is the "usual" one (Japan's shape), else the first. */
	for (const struct cj_node *n = names->child; n != NULL; n = n->next) {
		if (n->type != CJ_OBJECT) {
			return KIOSK_ERR_CERT_FORMAT;
		}
		if (primary == NULL && cj_str_eq(cj_get(n, "use"), "usual")) {
			primary = n;
		}
	}
	if (primary == NULL) {
		primary = names->child;
	}
	rc = cert_copy_str(out->family, sizeof(out->family), cj_get(primary, "family"));
	if (rc == 0 && out->family[0] == '\0') {
		rc = KIOSK_ERR_CERT_FORMAT;
	}
	if (rc == 0) {
		rc = join_given(out->given, sizeof(out->given), cj_get(primary, "given"));
	}
	if (rc != 0) {
		return rc;
	}
	/* Overseas: the romaji (passport) name is another entry written in ASCII. */
	for (const struct cj_node *n = names->child; n != NULL; n = n->next) {
		const struct cj_node *fam = cj_get_str(n, "family");

		if (n == primary || fam == NULL || !is_ascii_str(fam) ||
		    !given_ascii(cj_get(n, "given"))) {
			continue;
		}
		rc = cert_copy_str(out->romaji_family, sizeof(out->romaji_family), fam);
		if (rc == 0) {
			rc = join_given(out->romaji_given, sizeof(out->romaji_given),
					cj_get(n, "given"));
		}
		if (rc != 0) {
			return rc;
		}
		break;
	}
	return cert_date_iso_to_compact(bd->str, bd->len, false, out->birth_date);
}

static const struct cj_node *cvx_coding(const struct cj_node *imm)
{
	const struct cj_node *codings = cj_get(cj_get(imm, "vaccineCode"), "coding");

	if (codings == NULL || codings->type != CJ_ARRAY) {
		return NULL;
	}
	for (const struct cj_node *c = codings->child; c != NULL; c = c->next) {
		if (cj_str_eq(cj_get(c, "system"), CVX_SYSTEM)) {
			return cj_get_str(c, "code");
		}
	}
	return NULL;
}

static int parse_dose(const struct cj_node *imm, struct cert_dose *d)
{
	const struct cj_node *code = cvx_coding(imm);
	const struct cj_node *perf = cj_get(imm, "performer");
	const char *product;
	const char *maker;
	int rc;

	if (code == NULL || code->len == 0) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	for (size_t i = 0; i < code->len; i++) {
		if (code->str[i] < '0' || code->str[i] > '9') {
			return KIOSK_ERR_CERT_FORMAT;
		}
	}
	rc = cert_copy_str(d->vaccine_code, sizeof(d->vaccine_code), code);
	if (rc == 0) {
		rc = cert_copy_opt(d->lot, sizeof(d->lot), cj_get(imm, "lotNumber"));
	}
	if (rc == 0 && perf != NULL) {
		if (perf->type != CJ_ARRAY || perf->child == NULL) {
			return KIOSK_ERR_CERT_FORMAT;
		}
		rc = cert_copy_opt(d->performer, sizeof(d->performer),
				   cj_get(cj_get(perf->child, "actor"), "display"));
	}
	if (rc != 0) {
		return rc;
	}
	cert_cvx_lookup(d->vaccine_code, &product, &maker);
	if (product != NULL) {
		strcpy(d->product, product);
		strcpy(d->manufacturer, maker);
	}
	return 0;
}

/* Integer seconds of a NumericDate (fraction dropped). */
static int numeric_date(const struct cj_node *n, int64_t *out)
{
	int64_t v = 0;
	size_t i;

	if (n == NULL || n->type != CJ_NUMBER || n->len == 0 || n->str[0] == '-') {
		return KIOSK_ERR_CERT_FORMAT;
	}
	for (i = 0; i < n->len && n->str[i] != '.'; i++) {
		if (n->str[i] < '0' || n->str[i] > '9' || i >= 15) {
			return KIOSK_ERR_CERT_FORMAT; /* exponent form or absurd */
		}
		v = v * 10 + (n->str[i] - '0');
	}
	for (i = i + 1; i < n->len; i++) {
		if (n->str[i] < '0' || n->str[i] > '9') {
			return KIOSK_ERR_CERT_FORMAT;
		}
	}
	*out = v;
	return 0;
}

static bool has_type(const struct cj_node *types)
{
	if (types == NULL || types->type != CJ_ARRAY) {
		return false;
	}
	for (const struct cj_node *t = types->child; t != NULL; t = t->next) {
		if (cj_str_eq(t, SHC_TYPE_HEALTH_CARD)) {
			return true;
		}
	}
	return false;
}

struct dose_ref {
	const struct cj_node *imm;
	char date[9];
};

static int collect_bundle(const struct cj_node *bundle, struct kiosk_certificate *out,
			  struct dose_ref *refs)
{
	const struct cj_node *entries = cj_get(bundle, "entry");
	const struct cj_node *patient = NULL;
	const struct cj_node *patient_url = NULL;
	size_t nref = 0;
	size_t first;
	int rc;

	if (!cj_str_eq(cj_get(bundle, "resourceType"), "Bundle") || entries == NULL ||
	    entries->type != CJ_ARRAY) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	for (const struct cj_node *e = entries->child; e != NULL; e = e->next) {
		const struct cj_node *r = cj_get(e, "resource");
		const struct cj_node *rt = cj_get(r, "resourceType");

		if (r == NULL || r->type != CJ_OBJECT || rt == NULL || rt->type != CJ_STRING) {
			return KIOSK_ERR_CERT_FORMAT;
		}
		if (cj_str_eq(rt, "Patient")) {
			if (patient != NULL) {
				return KIOSK_ERR_CERT_FORMAT; /* whose card would it be? */
			}
			patient = r;
			patient_url = cj_get_str(e, "fullUrl");
		}
	}
	if (patient == NULL) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	rc = parse_patient(patient, out);
	if (rc != 0) {
		return rc;
	}
	for (const struct cj_node *e = entries->child; e != NULL; e = e->next) {
		const struct cj_node *r = cj_get(e, "resource");
		const struct cj_node *st;
		const struct cj_node *when;
		const struct cj_node *ref;

		if (!cj_str_eq(cj_get(r, "resourceType"), "Immunization")) {
			continue;
		}
		st = cj_get_str(r, "status");
		if (st == NULL) {
			return KIOSK_ERR_CERT_FORMAT;
		}
		if (!cj_str_eq(st, "completed")) {
			continue; /* entered-in-error / not-done: not a dose */
		}
		ref = cj_get_str(cj_get(r, "patient"), "reference");
		if (ref == NULL || (patient_url != NULL && !cj_str_eq(ref, patient_url->str)) ||
		    (patient_url != NULL && ref->len != patient_url->len)) {
			return KIOSK_ERR_CERT_FORMAT;
		}
		if (nref == CERT_DOSES_ON_RECORD_MAX) {
			return KIOSK_ERR_CERT_TOO_LARGE;
		}
		when = cj_get_str(r, "occurrenceDateTime");
		if (when == NULL) {
			return KIOSK_ERR_CERT_FORMAT;
		}
		rc = cert_date_iso_to_compact(when->str, when->len, true, refs[nref].date);
		if (rc != 0) {
			return rc;
		}
		refs[nref].imm = r;
		/* Insertion sort by date; equal dates keep bundle order. */
		for (size_t i = nref; i > 0 && strcmp(refs[i - 1].date, refs[i].date) > 0; i--) {
			struct dose_ref t = refs[i];

			refs[i] = refs[i - 1];
			refs[i - 1] = t;
		}
		nref++;
	}
	/* Keep the 5 most recent, oldest first; numbers count every dose on record. */
	first = nref > CERT_DOSES_MAX ? nref - CERT_DOSES_MAX : 0;
	for (size_t i = first; i < nref; i++) {
		struct cert_dose *d = &out->doses[i - first];

		rc = parse_dose(refs[i].imm, d);
		if (rc != 0) {
			return rc;
		}
		memcpy(d->date, refs[i].date, sizeof(d->date));
		d->number = (unsigned)(i + 1);
	}
	out->dose_count = (unsigned)(nref - first);
	out->doses_on_record = (unsigned)nref;
	return 0;
}

/* The sort keys (vaccination dates) are personal data: wiped on every path. */
static int parse_bundle(const struct cj_node *bundle, struct kiosk_certificate *out)
{
	struct dose_ref refs[CERT_DOSES_ON_RECORD_MAX];
	int rc = collect_bundle(bundle, out, refs);

	mbedtls_platform_zeroize(refs, sizeof(refs));
	return rc;
}

static int parse_claims(struct cert_arena *a, const char *json, size_t len,
			struct kiosk_certificate *out)
{
	struct cj_node *root;
	const struct cj_node *iss;
	const struct cj_node *vc;
	const struct cj_node *exp;
	int64_t t;
	int rc;

	rc = cj_parse(a, json, len, &root);
	if (rc != 0) {
		return rc;
	}
	if (root->type != CJ_OBJECT) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	iss = cj_get_str(root, "iss");
	if (iss == NULL || iss->len <= 8 || memcmp(iss->str, "https://", 8) != 0 ||
	    iss->str[iss->len - 1] == '/') {
		return KIOSK_ERR_CERT_FORMAT;
	}
	rc = cert_copy_str(out->iss, sizeof(out->iss), iss);
	if (rc == 0) {
		rc = numeric_date(cj_get(root, "nbf"), &out->nbf);
	}
	if (rc != 0) {
		return rc;
	}
	exp = cj_get(root, "exp");
	if (exp != NULL) {
		if (numeric_date(exp, &t) != 0 || t <= (int64_t)time(NULL)) {
			return KIOSK_ERR_CERT_FORMAT;
		}
	}
	vc = cj_get(root, "vc");
	if (vc == NULL || vc->type != CJ_OBJECT || !has_type(cj_get(vc, "type"))) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	return parse_bundle(cj_get(cj_get(vc, "credentialSubject"), "fhirBundle"), out);
}

static int parse_payload(struct cert_arena *a, const uint8_t *deflated, size_t len,
			 struct kiosk_certificate *out)
{
	uint8_t *json;
	size_t n;
	int rc;

	json = cert_arena_alloc(a, CERT_SHC_INFLATE_MAX);
	if (json == NULL) {
		return KIOSK_ERR_CERT_TOO_LARGE;
	}
	rc = inflate_raw(deflated, len, json, CERT_SHC_INFLATE_MAX, &n);
	if (rc != 0) {
		return rc;
	}
	/* Give the unused tail back to the arena (the buffer is its last allocation). */
	a->used = (size_t)(json - a->base) + n;
	return parse_claims(a, (const char *)json, n, out);
}

int cert_shc_parse_claims(const char *json, size_t len, struct kiosk_certificate *out,
			  void *scratch, size_t scratch_cap)
{
	struct cert_arena a;
	int rc;

	if (json == NULL || out == NULL || scratch == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	cert_clear(out);
	cert_arena_init(&a, scratch, scratch_cap);
	rc = parse_claims(&a, json, len, out);
	cert_arena_wipe(&a);
	if (rc != 0) {
		cert_clear(out);
	}
	return rc;
}

int cert_shc_parse_payload(const uint8_t *deflated, size_t len, struct kiosk_certificate *out,
			   void *scratch, size_t scratch_cap)
{
	struct cert_arena a;
	int rc;

	if (deflated == NULL || out == NULL || scratch == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	cert_clear(out);
	cert_arena_init(&a, scratch, scratch_cap);
	rc = parse_payload(&a, deflated, len, out);
	cert_arena_wipe(&a);
	if (rc != 0) {
		cert_clear(out);
	}
	return rc;
}

/* --- the JWS --------------------------------------------------------------------------------- */

static int check_header(const char *b64, size_t len, const struct cert_keyset *pinned,
			const uint8_t **q65)
{
	uint8_t hdr[CERT_SHC_HEADER_MAX];
	uint64_t mem[512]; /* 4 KiB arena for the header's parse tree (public data) */
	struct cert_arena a;
	struct cj_node *root;
	const struct cj_node *kid;
	size_t n;
	int rc;

	rc = cert_b64url_decode(b64, len, false, hdr, sizeof(hdr), &n);
	if (rc == KIOSK_ERR_BUFFER_TOO_SMALL) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	if (rc != 0) {
		return rc;
	}
	cert_arena_init(&a, mem, sizeof(mem));
	rc = cj_parse(&a, (const char *)hdr, n, &root);
	if (rc != 0) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	kid = cj_get_str(root, "kid");
	if (root->type != CJ_OBJECT || !cj_str_eq(cj_get(root, "alg"), "ES256") ||
	    !cj_str_eq(cj_get(root, "zip"), "DEF") || kid == NULL) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	return cert_keyset_find(pinned, kid->str, kid->len, q65);
}

static int check_signature(const char *jws, size_t signed_len, const char *b64, size_t len,
			   const uint8_t *q65)
{
	uint8_t sig[80];
	uint8_t hash[32];
	mbedtls_ecp_group grp;
	mbedtls_ecp_point q;
	size_t n;
	int rc;

	rc = cert_b64url_decode(b64, len, false, sig, sizeof(sig), &n);
	if (rc == KIOSK_ERR_BUFFER_TOO_SMALL) {
		return KIOSK_ERR_CERT_SIGNATURE;
	}
	if (rc != 0) {
		return rc;
	}
	if (n != 64) {
		return KIOSK_ERR_CERT_SIGNATURE; /* DER (70-72 bytes) or anything else */
	}
	if (mbedtls_sha256_ret((const unsigned char *)jws, signed_len, hash, 0) != 0) {
		return KIOSK_ERR_CRYPTO;
	}
	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&q);
	if (mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1) != 0 ||
	    mbedtls_ecp_point_read_binary(&grp, &q, q65, 65) != 0) {
		rc = KIOSK_ERR_CRYPTO;
	} else {
		rc = cert_es256_verify(&grp, &q, hash, sig);
	}
	mbedtls_ecp_point_free(&q);
	mbedtls_ecp_group_free(&grp);
	return rc;
}

int cert_shc_verify(const char *jws, size_t len, const struct cert_keyset *pinned,
		    struct kiosk_certificate *out, void *scratch, size_t scratch_cap)
{
	struct cert_arena a;
	const char *d1;
	const char *d2;
	const uint8_t *q65 = NULL;
	uint8_t *payload;
	size_t plen;
	size_t n;
	int rc;

	if (jws == NULL || pinned == NULL || out == NULL || scratch == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	cert_clear(out);
	cert_arena_init(&a, scratch, scratch_cap);
	if (len > CERT_SHC_JWS_MAX) {
		return KIOSK_ERR_CERT_TOO_LARGE;
	}
	d1 = memchr(jws, '.', len);
	d2 = d1 != NULL ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - jws)) : NULL;
	if (d2 == NULL || memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - jws)) != NULL ||
	    d1 == jws || d2 == d1 + 1 || d2 + 1 == jws + len) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	rc = check_header(jws, (size_t)(d1 - jws), pinned, &q65);
	if (rc != 0) {
		goto out;
	}
	rc = check_signature(jws, (size_t)(d2 - jws), d2 + 1, len - (size_t)(d2 + 1 - jws), q65);
	if (rc != 0) {
		goto out;
	}
	plen = (size_t)(d2 - d1 - 1);
	payload = cert_arena_alloc(&a, plen / 4 * 3 + 3);
	if (payload == NULL) {
		rc = KIOSK_ERR_CERT_TOO_LARGE;
		goto out;
	}
	rc = cert_b64url_decode(d1 + 1, plen, false, payload, plen / 4 * 3 + 3, &n);
	if (rc != 0) {
		goto out;
	}
	rc = parse_payload(&a, payload, n, out);
	if (rc != 0) {
		goto out;
	}
	rc = cert_shc_qr_text(jws, len, out->qr_text, sizeof(out->qr_text), &out->qr_text_len);
out:
	cert_arena_wipe(&a);
	if (rc != 0) {
		cert_clear(out);
	}
	return rc;
}
