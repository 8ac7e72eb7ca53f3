/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>
#include <zlib.h>

#include "kiosk/certificate.h"

#include "cert_testkit.h"

static void *xmalloc(size_t n)
{
	void *p = malloc(n);

	if (p == NULL) {
		abort();
	}
	return p;
}

const char *tk_pki(const char *file)
{
	static char path[1024];
	const char *dir = getenv("KIOSK_CENTER_PKI");

	if (dir == NULL) {
		abort();
	}
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return path;
}

const char *tk_jwks_kid(const char *jwks_file)
{
	static char kid[64];
	char buf[4096];
	FILE *f = fopen(tk_pki(jwks_file), "rb");
	size_t n;
	cJSON *j;
	const cJSON *k;

	if (f == NULL) {
		abort();
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	j = cJSON_Parse(buf);
	k = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "keys"), 0), "kid");
	if (!cJSON_IsString(k)) {
		abort();
	}
	snprintf(kid, sizeof(kid), "%s", k->valuestring);
	cJSON_Delete(j);
	return kid;
}

char *tk_b64url(const void *p, size_t n)
{
	size_t cap = n / 3 * 4 + 8;
	char *s = xmalloc(cap);
	size_t len;

	if (cert_b64url_encode(p, n, s, cap, &len) != 0) {
		abort();
	}
	return s;
}

int tk_sign(const char *key_file, const void *msg, size_t len, bool der, uint8_t *sig,
	    size_t *sig_len)
{
	mbedtls_pk_context pk;
	mbedtls_entropy_context ent;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_mpi r, s;
	uint8_t h[32];
	int rc = -1;

	mbedtls_pk_init(&pk);
	mbedtls_entropy_init(&ent);
	mbedtls_ctr_drbg_init(&drbg);
	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	if (mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent, NULL, 0) != 0 ||
	    mbedtls_pk_parse_keyfile(&pk, tk_pki(key_file), NULL) != 0 ||
	    mbedtls_sha256_ret(msg, len, h, 0) != 0) {
		goto out;
	}
	if (der) {
		rc = mbedtls_pk_sign(&pk, MBEDTLS_MD_SHA256, h, 32, sig, sig_len,
				     mbedtls_ctr_drbg_random, &drbg);
		goto out;
	}
	rc = mbedtls_ecdsa_sign(&mbedtls_pk_ec(pk)->grp, &r, &s, &mbedtls_pk_ec(pk)->d, h, 32,
				mbedtls_ctr_drbg_random, &drbg);
	if (rc == 0) {
		rc = mbedtls_mpi_write_binary(&r, sig, 32) |
		     mbedtls_mpi_write_binary(&s, sig + 32, 32);
		*sig_len = 64;
	}
out:
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&s);
	mbedtls_pk_free(&pk);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&ent);
	return rc;
}

static uint8_t *tk_deflate(const char *in, size_t len, enum tk_zip zip, size_t *out_len)
{
	z_stream zs;
	size_t cap = len + 1024;
	uint8_t *out = xmalloc(cap);
	int bits = zip == TK_ZIP_RAW ? -15 : zip == TK_ZIP_ZLIB ? 15 : 31; /* raw, zlib, gzip */

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, bits, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK) {
		abort();
	}
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END) {
		abort();
	}
	*out_len = zs.total_out;
	deflateEnd(&zs);
	return out;
}

char *tk_make_jws(const char *header_json, const char *payload, size_t payload_len,
		  enum tk_zip zip, bool der_sig, const char *key_file)
{
	size_t zlen;
	uint8_t *z = tk_deflate(payload, payload_len, zip, &zlen);
	char *h = tk_b64url(header_json, strlen(header_json));
	char *p = tk_b64url(z, zlen);
	size_t slen = strlen(h) + strlen(p) + 2;
	char *signing = xmalloc(slen);
	uint8_t sig[MBEDTLS_ECDSA_MAX_LEN];
	size_t sig_len = 0;
	char *s;
	char *jws;

	snprintf(signing, slen, "%s.%s", h, p);
	if (tk_sign(key_file, signing, strlen(signing), der_sig, sig, &sig_len) != 0) {
		abort();
	}
	s = tk_b64url(sig, sig_len);
	jws = xmalloc(slen + strlen(s) + 2);
	sprintf(jws, "%s.%s", signing, s);
	free(z);
	free(h);
	free(p);
	free(s);
	free(signing);
	return jws;
}

char *tk_header(const char *kid)
{
	char *h = xmalloc(strlen(kid) + 64);

	sprintf(h, "{\"alg\":\"ES256\",\"zip\":\"DEF\",\"kid\":\"%s\"}", kid);
	return h;
}

char *tk_claims(const char *family, const char *given, const char *romaji_family,
		const char *romaji_given, const char *birth, const struct tk_dose *doses,
		size_t ndoses)
{
	size_t cap = 4096 + ndoses * 512;
	char *s = xmalloc(cap);
	size_t o = 0;

	o += (size_t)snprintf(s + o, cap - o,
		"{\"iss\":\"https://center.kiosk.test/issuer\",\"nbf\":1764064800.25,"
		"\"vc\":{\"type\":[\"https://smarthealth.cards#health-card\","
		"\"https://smarthealth.cards#immunization\",\"https://smarthealth.cards#covid19\"],"
		"\"credentialSubject\":{\"fhirVersion\":\"4.0.1\",\"fhirBundle\":{"
		"\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":["
		"{\"fullUrl\":\"resource:0\",\"resource\":{\"resourceType\":\"Patient\","
		"\"name\":[{\"use\":\"usual\",\"family\":\"%s\"", family);
	if (given != NULL) {
		o += (size_t)snprintf(s + o, cap - o, ",\"given\":[\"%s\"]", given);
	}
	o += (size_t)snprintf(s + o, cap - o, "}");
	if (romaji_family != NULL) {
		o += (size_t)snprintf(s + o, cap - o,
			",{\"use\":\"official\",\"family\":\"%s\",\"given\":[\"%s\"]}",
			romaji_family, romaji_given);
	}
	o += (size_t)snprintf(s + o, cap - o, "],\"birthDate\":\"%s\"}}", birth);
	for (size_t i = 0; i < ndoses; i++) {
		o += (size_t)snprintf(s + o, cap - o,
			",{\"fullUrl\":\"resource:%zu\",\"resource\":{"
			"\"resourceType\":\"Immunization\","
			"\"status\":\"completed\",\"vaccineCode\":{\"coding\":[{\"system\":"
			"\"http://hl7.org/fhir/sid/cvx\",\"code\":\"%s\"}]},"
			"\"patient\":{\"reference\":\"resource:0\"},\"occurrenceDateTime\":\"%s\","
			"\"performer\":[{\"actor\":{\"display\":\"MHLW_Gov_of_JAPAN\"}}],"
			"\"lotNumber\":\"%s\"}}",
			i + 1, doses[i].cvx, doses[i].date, doses[i].lot);
	}
	snprintf(s + o, cap - o, "]}}}}");
	return s;
}

char *tk_make_vds(const char *data_json, const char *key_file, const char *cert_file)
{
	static uint64_t scratch[4096];
	uint8_t canon[8192];
	size_t canon_len;
	uint8_t sig[MBEDTLS_ECDSA_MAX_LEN];
	size_t sig_len;
	mbedtls_x509_crt crt;
	char *cer;
	char *sigvl;
	char *out;
	size_t cer_len;

	if (cert_jcs_canonicalize(data_json, strlen(data_json), scratch, sizeof(scratch), canon,
				  sizeof(canon), &canon_len) != 0 ||
	    tk_sign(key_file, canon, canon_len, false, sig, &sig_len) != 0) {
		abort();
	}
	mbedtls_x509_crt_init(&crt);
	if (mbedtls_x509_crt_parse_file(&crt, tk_pki(cert_file)) != 0) {
		abort();
	}
	cer = tk_b64url(crt.raw.p, crt.raw.len);
	/* Japan's sample pads cer with '=': do the same so decoders are exercised. */
	cer_len = strlen(cer);
	cer = realloc(cer, cer_len + 4);
	while (cer_len % 4 != 0) {
		cer[cer_len++] = '=';
	}
	cer[cer_len] = '\0';
	mbedtls_x509_crt_free(&crt);
	sigvl = tk_b64url(sig, sig_len);
	out = xmalloc(strlen(data_json) + strlen(cer) + strlen(sigvl) + 128);
	sprintf(out, "{\"data\":%s,\"sig\":{\"alg\":\"ES256\",\"cer\":\"%s\",\"sigvl\":\"%s\"}}",
		data_json, cer, sigvl);
	free(cer);
	free(sigvl);
	return out;
}
