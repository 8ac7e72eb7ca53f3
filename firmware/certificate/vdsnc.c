/* SPDX-License-Identifier: MIT */
/*
 * ICAO VDS-NC (overseas certificate): the seal JSON, its signer certificate
 * chained to the pinned CSCA, and an ES256 r||s signature over the RFC 8785
 * canonical form of "data" (certificate-formats.md §2.4, §3).
 */
#include <stdlib.h>
#include <string.h>

#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>

#include "kiosk/certificate.h"
#include "kiosk/err.h"

#include "cert_internal.h"

struct cert_csca {
	mbedtls_x509_crt chain;
};

int cert_csca_load(struct cert_csca **out, const char *pem_path)
{
	struct cert_csca *c;

	if (out == NULL || pem_path == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		return KIOSK_ERR_NO_MEMORY;
	}
	mbedtls_x509_crt_init(&c->chain);
	/* A positive return means some certificates did not parse: refuse the file. */
	if (mbedtls_x509_crt_parse_file(&c->chain, pem_path) != 0 || c->chain.version == 0) {
		cert_csca_free(c);
		return KIOSK_ERR_CERT_TRUST;
	}
	*out = c;
	return 0;
}

void cert_csca_free(struct cert_csca *csca)
{
	if (csca != NULL) {
		mbedtls_x509_crt_free(&csca->chain);
		free(csca);
	}
}

struct vd_ref {
	const struct cj_node *ve;
	const struct cj_node *vd;
	char date[9];
	unsigned seq;
};

static int copy_req(char *dst, size_t cap, const struct cj_node *n)
{
	int rc = cert_copy_str(dst, cap, n);

	return rc == 0 && dst[0] == '\0' ? KIOSK_ERR_CERT_FORMAT : rc;
}

static int collect_events(const struct cj_node *ve, struct cert_vds *v, struct vd_ref *refs)
{
	size_t nref = 0;
	size_t first;
	int rc;

	if (ve == NULL || ve->type != CJ_ARRAY || ve->count == 0) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	for (const struct cj_node *e = ve->child; e != NULL; e = e->next) {
		const struct cj_node *vd = cj_get(e, "vd");

		if (e->type != CJ_OBJECT || cj_get_str(e, "des") == NULL ||
		    cj_get_str(e, "nam") == NULL || vd == NULL || vd->type != CJ_ARRAY ||
		    vd->count == 0) {
			return KIOSK_ERR_CERT_FORMAT;
		}
		for (const struct cj_node *d = vd->child; d != NULL; d = d->next) {
			const struct cj_node *dvc = cj_get_str(d, "dvc");
			const struct cj_node *seq = cj_get(d, "seq");
			struct vd_ref t;

			if (dvc == NULL || seq == NULL || seq->type != CJ_NUMBER || !seq->is_int ||
			    seq->ival < 1 || seq->ival > 99 || cj_get_str(d, "ctr") == NULL ||
			    cj_get_str(d, "lot") == NULL) {
				return KIOSK_ERR_CERT_FORMAT;
			}
			if (nref == CERT_DOSES_ON_RECORD_MAX) {
				return KIOSK_ERR_CERT_TOO_LARGE;
			}
			t.ve = e;
			t.vd = d;
			t.seq = (unsigned)seq->ival;
			rc = cert_date_iso_to_compact(dvc->str, dvc->len, false, t.date);
			if (rc != 0) {
				return rc;
			}
			refs[nref] = t;
			for (size_t i = nref; i > 0; i--) {
				int order = strcmp(refs[i - 1].date, refs[i].date);

				if (order < 0 || (order == 0 && refs[i - 1].seq <= refs[i].seq)) {
					break;
				}
				t = refs[i];
				refs[i] = refs[i - 1];
				refs[i - 1] = t;
			}
			nref++;
		}
	}
	first = nref > CERT_DOSES_MAX ? nref - CERT_DOSES_MAX : 0;
	for (size_t i = first; i < nref; i++) {
		struct cert_dose *d = &v->doses[i - first];

		d->number = refs[i].seq;
		memcpy(d->date, refs[i].date, sizeof(d->date));
		rc = copy_req(d->vaccine_code, sizeof(d->vaccine_code), cj_get(refs[i].ve, "des"));
		if (rc == 0) {
			rc = cert_copy_str(d->product, sizeof(d->product),
					   cj_get(refs[i].ve, "nam"));
		}
		if (rc == 0) {
			rc = cert_copy_str(d->lot, sizeof(d->lot), cj_get(refs[i].vd, "lot"));
		}
		if (rc == 0) {
			rc = copy_req(d->country, sizeof(d->country), cj_get(refs[i].vd, "ctr"));
		}
		if (rc == 0) {
			rc = cert_copy_opt(d->performer, sizeof(d->performer),
					   cj_get(refs[i].vd, "adm"));
		}
		if (rc != 0) {
			return rc;
		}
	}
	v->dose_count = (unsigned)(nref - first);
	return 0;
}

/* The sort keys (vaccination dates) are personal data: wiped on every path. */
static int parse_events(const struct cj_node *ve, struct cert_vds *v)
{
	struct vd_ref refs[CERT_DOSES_ON_RECORD_MAX];
	int rc = collect_events(ve, v, refs);

	mbedtls_platform_zeroize(refs, sizeof(refs));
	return rc;
}

/* Parse the seal into @v; hand back "data" and "sig" for verification. */
static int parse_seal(struct cert_arena *a, const char *json, size_t len, struct cert_vds *v,
		      const struct cj_node **data_out, const struct cj_node **sig_out)
{
	struct cj_node *root;
	const struct cj_node *seal;
	const struct cj_node *data;
	const struct cj_node *hdr;
	const struct cj_node *msg;
	const struct cj_node *pid;
	const struct cj_node *sig;
	const struct cj_node *ver;
	const struct cj_node *dob;
	int rc;

	if (len > CERT_VDS_MAX) {
		return KIOSK_ERR_CERT_TOO_LARGE;
	}
	rc = cj_parse(a, json, len, &root);
	if (rc != 0) {
		return rc;
	}
	/* Japan's sample wraps the seal in a one-element array: accept both. */
	seal = root->type == CJ_ARRAY && root->count == 1 ? root->child : root;
	data = cj_get(seal, "data");
	sig = cj_get(seal, "sig");
	hdr = cj_get(data, "hdr");
	msg = cj_get(data, "msg");
	ver = cj_get(hdr, "v");
	if (data == NULL || data->type != CJ_OBJECT || msg == NULL || msg->type != CJ_OBJECT ||
	    sig == NULL || sig->type != CJ_OBJECT) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	if (!cj_str_eq(cj_get(hdr, "t"), "icao.vacc") || !cj_str_eq(cj_get(hdr, "is"), "JPN") ||
	    ver == NULL || ver->type != CJ_NUMBER || !ver->is_int || ver->ival != 1) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	if (!cj_str_eq(cj_get(sig, "alg"), "ES256") || cj_get_str(sig, "cer") == NULL ||
	    cj_get_str(sig, "sigvl") == NULL) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	memcpy(v->issuing_state, "JPN", 4);
	pid = cj_get(msg, "pid");
	if (pid == NULL || pid->type != CJ_OBJECT) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	rc = copy_req(v->uvci, sizeof(v->uvci), cj_get(msg, "uvci"));
	if (rc == 0) {
		rc = copy_req(v->name, sizeof(v->name), cj_get(pid, "n"));
	}
	if (rc == 0) {
		rc = cert_copy_opt(v->passport, sizeof(v->passport), cj_get(pid, "i"));
	}
	if (rc == 0) {
		rc = cert_copy_opt(v->extra_id, sizeof(v->extra_id), cj_get(pid, "ai"));
	}
	if (rc != 0) {
		return rc;
	}
	dob = cj_get(pid, "dob");
	if (dob != NULL) {
		if (dob->type != CJ_STRING) {
			return KIOSK_ERR_CERT_FORMAT;
		}
		rc = cert_date_iso_to_compact(dob->str, dob->len, false, v->birth_date);
		if (rc != 0) {
			return rc;
		}
	} else if (v->passport[0] == '\0') {
		return KIOSK_ERR_CERT_FORMAT; /* dob is required without a document number */
	}
	rc = parse_events(cj_get(msg, "ve"), v);
	if (rc != 0) {
		return rc;
	}
	*data_out = data;
	*sig_out = sig;
	return 0;
}

static int check_seal(struct cert_arena *a, size_t seal_len, const struct cj_node *data,
		      const struct cj_node *sig, const struct cert_csca *csca)
{
	const struct cj_node *cer = cj_get_str(sig, "cer");
	const struct cj_node *sigvl = cj_get_str(sig, "sigvl");
	mbedtls_x509_crt bsc;
	mbedtls_ecp_keypair *ec;
	uint8_t *der;
	uint8_t *canon;
	uint8_t sigbuf[80];
	uint8_t hash[32];
	size_t der_cap = cer->len / 4 * 3 + 3;
	size_t canon_len;
	size_t n;
	uint32_t flags = 0;
	int rc;

	mbedtls_x509_crt_init(&bsc);
	der = cert_arena_alloc(a, der_cap);
	if (der == NULL) {
		rc = KIOSK_ERR_CERT_TOO_LARGE;
		goto out;
	}
	rc = cert_b64url_decode(cer->str, cer->len, true, der, der_cap, &n);
	if (rc != 0) {
		goto out;
	}
	if (mbedtls_x509_crt_parse_der(&bsc, der, n) != 0) {
		rc = KIOSK_ERR_CERT_FORMAT;
		goto out;
	}
	/* The signer must chain to the pinned CSCA (signature, validity, CA flags). */
	if (mbedtls_x509_crt_verify(&bsc, (mbedtls_x509_crt *)&csca->chain, NULL, NULL, &flags,
				    NULL, NULL) != 0) {
		rc = KIOSK_ERR_CERT_CHAIN;
		goto out;
	}
	if (mbedtls_pk_get_type(&bsc.pk) != MBEDTLS_PK_ECKEY) {
		rc = KIOSK_ERR_CERT_CHAIN;
		goto out;
	}
	ec = mbedtls_pk_ec(bsc.pk);
	if (ec == NULL || ec->grp.id != MBEDTLS_ECP_DP_SECP256R1) {
		rc = KIOSK_ERR_CERT_CHAIN; /* ES256 needs a P-256 signer */
		goto out;
	}
	rc = cert_b64url_decode(sigvl->str, sigvl->len, true, sigbuf, sizeof(sigbuf), &n);
	if (rc != 0 || n != 64) {
		rc = rc == KIOSK_ERR_CERT_FORMAT ? rc : KIOSK_ERR_CERT_SIGNATURE;
		goto out;
	}
	/* JCS of this subset is never longer than its source text (whitespace and
	 * escapes only shrink), so the seal's length bounds it. */
	canon = cert_arena_alloc(a, seal_len);
	if (canon == NULL) {
		rc = KIOSK_ERR_CERT_TOO_LARGE;
		goto out;
	}
	rc = cj_write_jcs(data, canon, seal_len, &canon_len);
	if (rc != 0) {
		rc = rc == KIOSK_ERR_BUFFER_TOO_SMALL ? KIOSK_ERR_CERT_TOO_LARGE : rc;
		goto out;
	}
	if (mbedtls_sha256_ret(canon, canon_len, hash, 0) != 0) {
		rc = KIOSK_ERR_CRYPTO;
		goto out;
	}
	rc = cert_es256_verify(&ec->grp, &ec->Q, hash, sigbuf);
out:
	mbedtls_x509_crt_free(&bsc);
	return rc;
}

static int vdsnc_run(const char *json, size_t len, const struct cert_csca *csca,
		     struct kiosk_certificate *c, void *scratch, size_t scratch_cap)
{
	struct cert_arena a;
	const struct cj_node *data = NULL;
	const struct cj_node *sig = NULL;
	int rc;

	if (json == NULL || c == NULL || scratch == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	mbedtls_platform_zeroize(&c->vds, sizeof(c->vds));
	cert_arena_init(&a, scratch, scratch_cap);
	rc = parse_seal(&a, json, len, &c->vds, &data, &sig);
	if (rc == 0 && csca != NULL) {
		rc = check_seal(&a, len, data, sig, csca);
	}
	cert_arena_wipe(&a);
	if (rc != 0) {
		mbedtls_platform_zeroize(&c->vds, sizeof(c->vds));
		return rc;
	}
	c->vds.present = true;
	return 0;
}

int cert_vdsnc_parse(const char *json, size_t len, struct kiosk_certificate *c, void *scratch,
		     size_t scratch_cap)
{
	return vdsnc_run(json, len, NULL, c, scratch, scratch_cap);
}

int cert_vdsnc_verify(const char *json, size_t len, const struct cert_csca *csca,
		      struct kiosk_certificate *c, void *scratch, size_t scratch_cap)
{
	const char *sp;
	size_t fam;
	int rc;

	if (csca == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	rc = vdsnc_run(json, len, csca, c, scratch, scratch_cap);
	if (rc != 0) {
		return rc;
	}
	memcpy(c->passport, c->vds.passport, sizeof(c->passport));
	if (c->romaji_family[0] == '\0') {
		/* pid.n is "SURNAME GIVEN" (ICAO 9303-3 as Japan writes it). */
		sp = strchr(c->vds.name, ' ');
		fam = sp != NULL ? (size_t)(sp - c->vds.name) : strlen(c->vds.name);
		if (fam < sizeof(c->romaji_family) && strlen(c->vds.name) - fam <
		    sizeof(c->romaji_given)) {
			memcpy(c->romaji_family, c->vds.name, fam);
			c->romaji_family[fam] = '\0';
			strcpy(c->romaji_given, sp != NULL ? sp + 1 : "");
		}
	}
	return 0;
}
