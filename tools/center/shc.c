/* SPDX-License-Identifier: MIT */
/*
 * SMART Health Card issuance (certificate-formats.md §1, §2.3): FHIR bundle
 * with QR rules (resource:N, no ids, no display), JWT claims, minified JSON,
 * raw DEFLATE, compact JWS with ES256 r||s and kid = the JWK thumbprint.
 *
 * The kiosk prints the JWS exactly as signed, so its QR size is decided here:
 * only the elements a verifier needs (no performer, one vc.type — Japan sent
 * both, 60 chars at 5 doses), and zopfli's optimal DEFLATE instead of zlib -9
 * (about 20 chars less). Both together take 5 doses from QR V22 to V21 at ECC M.
 */
#include <stdlib.h>
#include <string.h>

#include <mbedtls/platform_util.h>
#include <zopfli/zopfli.h>

#include "center.h"

/* zopfli's passes: the gain stops growing well before this on a 2 KiB bundle */
#define ZOPFLI_ITERATIONS 50

static cJSON *immunization(const struct rc_dose *d)
{
	cJSON *imm = cJSON_CreateObject();
	cJSON *coding = cJSON_CreateObject();

	cJSON_AddStringToObject(imm, "resourceType", "Immunization");
	cJSON_AddStringToObject(imm, "status", "completed");
	cJSON_AddStringToObject(coding, "system", "http://hl7.org/fhir/sid/cvx");
	cJSON_AddStringToObject(coding, "code", d->cvx);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(cJSON_AddObjectToObject(imm, "vaccineCode"),
						    "coding"),
			     coding);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(imm, "patient"), "reference",
				"resource:0");
	cJSON_AddStringToObject(imm, "occurrenceDateTime", d->date);
	cJSON_AddStringToObject(imm, "lotNumber", d->lot);
	return imm;
}

static void add_entry(cJSON *entries, size_t i, cJSON *resource)
{
	cJSON *e = cJSON_CreateObject();
	char url[32];

	snprintf(url, sizeof(url), "resource:%zu", i);
	cJSON_AddStringToObject(e, "fullUrl", url);
	cJSON_AddItemToObject(e, "resource", resource);
	cJSON_AddItemToArray(entries, e);
}

cJSON *rc_fhir_bundle(const struct rc_holder *h, const char *romaji,
		      const struct rc_resident *res)
{
	cJSON *b = cJSON_CreateObject();
	cJSON *entries, *patient, *names, *name;
	size_t first = res->n_doses > RC_SHC_DOSES_MAX ? res->n_doses - RC_SHC_DOSES_MAX : 0;

	cJSON_AddStringToObject(b, "resourceType", "Bundle");
	cJSON_AddStringToObject(b, "type", "collection");
	entries = cJSON_AddArrayToObject(b, "entry");

	patient = cJSON_CreateObject();
	cJSON_AddStringToObject(patient, "resourceType", "Patient");
	names = cJSON_AddArrayToObject(patient, "name");
	name = cJSON_CreateObject();
	cJSON_AddStringToObject(name, "use", "usual");
	cJSON_AddStringToObject(name, "family", h->family);
	if (h->given[0] != '\0') {
		cJSON_AddItemToArray(cJSON_AddArrayToObject(name, "given"),
				     cJSON_CreateString(h->given));
	}
	cJSON_AddItemToArray(names, name);
	if (romaji != NULL && romaji[0] != '\0') {
		/* passport form: surname first, one space, then the given names */
		char fam[40];
		const char *sp = strchr(romaji, ' ');
		size_t fl = sp ? (size_t)(sp - romaji) : strlen(romaji);

		if (fl >= sizeof(fam)) {
			fl = sizeof(fam) - 1;
		}
		memcpy(fam, romaji, fl);
		fam[fl] = '\0';
		name = cJSON_CreateObject();
		cJSON_AddStringToObject(name, "use", "official");
		cJSON_AddStringToObject(name, "family", fam);
		if (sp != NULL && sp[1] != '\0') {
			cJSON_AddItemToArray(cJSON_AddArrayToObject(name, "given"),
					     cJSON_CreateString(sp + 1));
		}
		cJSON_AddItemToArray(names, name);
		mbedtls_platform_zeroize(fam, sizeof(fam));
	}
	cJSON_AddStringToObject(patient, "birthDate", h->birth_date);
	add_entry(entries, 0, patient);
	/* the 5 most recent doses, oldest of them first */
	for (size_t i = first; i < res->n_doses; i++) {
		add_entry(entries, i - first + 1, immunization(&res->doses[i]));
	}
	return b;
}

static int deflate_raw(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len)
{
	ZopfliOptions o;
	unsigned char *z = NULL;
	size_t zlen = 0;

	ZopfliInitOptions(&o);
	o.numiterations = ZOPFLI_ITERATIONS;
	ZopfliCompress(&o, ZOPFLI_FORMAT_DEFLATE, in, len, &z, &zlen);
	*out = z;
	*out_len = zlen;
	return z != NULL && zlen > 0 ? 0 : -1;
}

static int b64url_append(struct rc_buf *b, const uint8_t *in, size_t len)
{
	size_t cap = (len + 2) / 3 * 4 + 1;
	char *tmp = malloc(cap);
	int rc = -1;

	if (tmp != NULL && rc_b64url_encode(in, len, false, tmp, cap) == 0) {
		rc = rc_buf_str(b, tmp);
	}
	if (tmp != NULL) {
		mbedtls_platform_zeroize(tmp, cap);
	}
	free(tmp);
	return rc;
}

int rc_shc_build(struct rc_keys *k, bool rogue, const char *iss, int64_t nbf,
		 const struct rc_holder *h, const char *romaji, const struct rc_resident *res,
		 char **out)
{
	cJSON *claims = cJSON_CreateObject();
	cJSON *header = cJSON_CreateObject();
	cJSON *vc, *types, *subject;
	char *payload = NULL, *hdr = NULL;
	uint8_t *zipped = NULL;
	size_t zlen = 0;
	uint8_t rs[64];
	struct rc_buf jws = {0};
	int rc = -1;

	*out = NULL;
	cJSON_AddStringToObject(header, "alg", "ES256");
	cJSON_AddStringToObject(header, "zip", "DEF");
	cJSON_AddStringToObject(header, "kid", rogue ? k->rogue_kid : k->kid);
	cJSON_AddStringToObject(claims, "iss", iss);
	cJSON_AddNumberToObject(claims, "nbf", (double)nbf);
	vc = cJSON_AddObjectToObject(claims, "vc");
	types = cJSON_AddArrayToObject(vc, "type");
	cJSON_AddItemToArray(types, cJSON_CreateString("https://smarthealth.cards#health-card"));
	subject = cJSON_AddObjectToObject(vc, "credentialSubject");
	cJSON_AddStringToObject(subject, "fhirVersion", "4.0.1");
	cJSON_AddItemToObject(subject, "fhirBundle", rc_fhir_bundle(h, romaji, res));

	hdr = cJSON_PrintUnformatted(header);
	payload = cJSON_PrintUnformatted(claims);
	if (hdr == NULL || payload == NULL ||
	    deflate_raw((const uint8_t *)payload, strlen(payload), &zipped, &zlen) != 0) {
		goto out;
	}
	if (b64url_append(&jws, (const uint8_t *)hdr, strlen(hdr)) != 0 ||
	    rc_buf_str(&jws, ".") != 0 || b64url_append(&jws, zipped, zlen) != 0) {
		goto out;
	}
	if (rc_es256_sign(k, rogue ? &k->rogue : &k->shc, (const uint8_t *)jws.p, jws.len, rs) !=
		    0 ||
	    rc_buf_str(&jws, ".") != 0 || b64url_append(&jws, rs, sizeof(rs)) != 0) {
		goto out;
	}
	*out = jws.p;
	jws.p = NULL;
	rc = 0;
out:
	rc_buf_free(&jws);
	if (payload != NULL) {
		mbedtls_platform_zeroize(payload, strlen(payload));
	}
	free(payload);
	free(hdr);
	if (zipped != NULL) {
		mbedtls_platform_zeroize(zipped, zlen);
	}
	free(zipped);
	rc_json_wipe_delete(claims);
	cJSON_Delete(header);
	return rc;
}
