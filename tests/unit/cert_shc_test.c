/* SPDX-License-Identifier: MIT */
/*
 * SMART Health Card verification against vectors signed here with the
 * TEST-ONLY issuer key. Fictitious holder: 山田 太郎, born 1980-04-01.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kiosk/certificate.h"
#include "kiosk/err.h"
#include "kiosk/vault.h"

#include "cert_testkit.h"

#define FAMILY "\xe5\xb1\xb1\xe7\x94\xb0" /* 山田 */
#define GIVEN "\xe5\xa4\xaa\xe9\x83\x8e"  /* 太郎 */

static const struct tk_dose two_doses[] = {
	{ "208", "2021-06-01", "FA1234" },
	{ "207", "2021-06-22T09:30:00+09:00", "3003657" },
};

struct fx {
	struct cert_keyset *ks;
	const char *kid;
	uint8_t *scratch;
	struct kiosk_certificate *c;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(cert_keyset_load_jwks(&f->ks, tk_pki("shc-jwks.json")), 0);
	f->kid = strdup(tk_jwks_kid("shc-jwks.json"));
	f->scratch = calloc(1, CERT_SCRATCH_SIZE);
	f->c = calloc(1, sizeof(*f->c));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	cert_keyset_free(f->ks);
	free((void *)f->kid);
	free(f->scratch);
	free(f->c);
	free(f);
	return 0;
}

static char *signed_claims(const struct fx *f, const char *claims)
{
	char *h = tk_header(f->kid);
	char *jws = tk_make_jws(h, claims, strlen(claims), TK_ZIP_RAW, false, "shc-issuer.key.pem");

	free(h);
	return jws;
}

static int verify(const struct fx *f, const char *jws)
{
	return cert_shc_verify(jws, strlen(jws), f->ks, f->c, f->scratch, CERT_SCRATCH_SIZE);
}

static bool scratch_wiped(const struct fx *f)
{
	for (size_t i = 0; i < CERT_SCRATCH_SIZE; i++) {
		if (f->scratch[i] != 0) {
			return false;
		}
	}
	return true;
}

static void test_valid_domestic(void **state)
{
	struct fx *f = *state;
	char *claims = tk_claims(FAMILY, GIVEN, NULL, NULL, "1980-04-01", two_doses, 2);
	char *jws = signed_claims(f, claims);
	const struct kiosk_certificate *c = f->c;

	assert_int_equal(verify(f, jws), 0);
	assert_string_equal(c->family, FAMILY);
	assert_string_equal(c->given, GIVEN);
	assert_string_equal(c->romaji_family, "");
	assert_string_equal(c->birth_date, "19800401");
	assert_string_equal(c->iss, "https://center.kiosk.test/issuer");
	assert_int_equal(c->nbf, 1764064800);
	assert_int_equal(c->dose_count, 2);
	assert_int_equal(c->doses_on_record, 2);
	assert_int_equal(c->doses[0].number, 1);
	assert_string_equal(c->doses[0].date, "20210601");
	assert_string_equal(c->doses[0].vaccine_code, "208");
	assert_string_equal(c->doses[0].product, "Comirnaty");
	assert_string_equal(c->doses[0].manufacturer, "Pfizer/BioNTech");
	assert_string_equal(c->doses[0].lot, "FA1234");
	assert_string_equal(c->doses[0].performer, "MHLW_Gov_of_JAPAN");
	assert_int_equal(c->doses[1].number, 2);
	assert_string_equal(c->doses[1].date, "20210622");
	assert_string_equal(c->doses[1].vaccine_code, "207");
	assert_string_equal(c->doses[1].manufacturer, "Moderna");
	assert_string_equal(c->doses[1].lot, "3003657");
	assert_false(c->vds.present);
	/* the QR text is the numeric form of exactly this JWS */
	assert_int_equal(c->qr_text_len, 5 + 2 * strlen(jws));
	assert_memory_equal(c->qr_text, "shc:/", 5);
	for (size_t i = 0; i < strlen(jws); i++) {
		int v = (c->qr_text[5 + 2 * i] - '0') * 10 + (c->qr_text[6 + 2 * i] - '0');

		assert_int_equal(v + 45, (unsigned char)jws[i]);
	}
	assert_true(scratch_wiped(f));
	/* and it binds to the fictitious card holder */
	assert_int_equal(cert_check_holder(c, FAMILY "\xe3\x80\x80" GIVEN, "19800401"), 0);
	assert_int_equal(cert_check_holder(c, FAMILY "\xe3\x80\x80" GIVEN, "19800402"),
			 KIOSK_ERR_CERT_HOLDER_MISMATCH);
	free(claims);
	free(jws);
}

static void test_valid_overseas_names(void **state)
{
	struct fx *f = *state;
	char *claims = tk_claims(FAMILY, GIVEN, "YAMADA", "TARO", "1980-04-01", two_doses, 1);
	char *jws = signed_claims(f, claims);

	assert_int_equal(verify(f, jws), 0);
	assert_string_equal(f->c->family, FAMILY);
	assert_string_equal(f->c->given, GIVEN);
	assert_string_equal(f->c->romaji_family, "YAMADA");
	assert_string_equal(f->c->romaji_given, "TARO");
	assert_int_equal(f->c->dose_count, 1);
	free(claims);
	free(jws);
}

static void test_in_vault(void **state)
{
	struct fx *f = *state;
	struct kiosk_vault v;
	char *claims = tk_claims(FAMILY, GIVEN, NULL, NULL, "1980-04-01", two_doses, 2);
	char *jws = signed_claims(f, claims);
	struct kiosk_certificate *c;
	void *scratch;

	kiosk_vault_init(&v);
	assert_int_equal(kiosk_vault_setup(&v, 128u * 1024u), 0);
	c = kiosk_vault_alloc(&v, sizeof(*c));
	scratch = kiosk_vault_alloc(&v, CERT_SCRATCH_SIZE);
	assert_non_null(c);
	assert_non_null(scratch);
	assert_int_equal(cert_shc_verify(jws, strlen(jws), f->ks, c, scratch, CERT_SCRATCH_SIZE),
			 0);
	assert_true(kiosk_vault_owns(&v, c, sizeof(*c)));
	assert_string_equal(c->given, GIVEN);
	kiosk_vault_wipe(&v);
	assert_true(kiosk_vault_is_wiped(&v));
	kiosk_vault_free(&v);
	free(claims);
	free(jws);
}

/* Replace one base64url character at @pos with another that keeps the part valid. */
static void flip(char *jws, size_t pos)
{
	jws[pos] = jws[pos] == 'A' ? 'B' : 'A';
}

static void test_forged(void **state)
{
	struct fx *f = *state;
	char *claims = tk_claims(FAMILY, GIVEN, NULL, NULL, "1980-04-01", two_doses, 2);
	char *jws = signed_claims(f, claims);
	char *d1 = strchr(jws, '.');
	char *d2 = strchr(d1 + 1, '.');
	char *copy = strdup(jws);

	flip(copy, (size_t)(d1 - jws) + 10);             /* a payload byte */
	assert_int_equal(verify(f, copy), KIOSK_ERR_CERT_SIGNATURE);
	strcpy(copy, jws);
	flip(copy, (size_t)(d2 - jws) + 5);              /* a signature byte */
	assert_int_equal(verify(f, copy), KIOSK_ERR_CERT_SIGNATURE);
	strcpy(copy, jws);
	flip(copy, 3);                                   /* a header byte */
	assert_int_not_equal(verify(f, copy), 0);
	/* the model is left cleared on failure */
	assert_string_equal(f->c->family, "");
	assert_int_equal(f->c->dose_count, 0);
	assert_true(scratch_wiped(f));
	free(copy);
	free(claims);
	free(jws);
}

static void test_unknown_kid(void **state)
{
	struct fx *f = *state;
	char *claims = tk_claims(FAMILY, GIVEN, NULL, NULL, "1980-04-01", two_doses, 2);
	char *h = tk_header(tk_jwks_kid("shc-rogue-jwks.json"));
	char *jws = tk_make_jws(h, claims, strlen(claims), TK_ZIP_RAW, false, "shc-rogue.key.pem");
	char *h2 = tk_header(f->kid);
	char *jws2 = tk_make_jws(h2, claims, strlen(claims), TK_ZIP_RAW, false,
				 "shc-rogue.key.pem");
	struct cert_keyset *rogue = NULL;

	assert_int_equal(verify(f, jws), KIOSK_ERR_CERT_UNKNOWN_KEY);
	/* the pinned kid, but signed by the rogue key */
	assert_int_equal(verify(f, jws2), KIOSK_ERR_CERT_SIGNATURE);
	/* and with the rogue set pinned, the genuine card is unknown */
	assert_int_equal(cert_keyset_load_jwks(&rogue, tk_pki("shc-rogue-jwks.json")), 0);
	assert_int_equal(cert_shc_verify(jws2, strlen(jws2), rogue, f->c, f->scratch,
					 CERT_SCRATCH_SIZE), KIOSK_ERR_CERT_UNKNOWN_KEY);
	assert_int_equal(cert_shc_verify(jws, strlen(jws), rogue, f->c, f->scratch,
					 CERT_SCRATCH_SIZE), 0);
	cert_keyset_free(rogue);
	free(claims);
	free(h);
	free(jws);
	free(h2);
	free(jws2);
}

static char *read_text(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf = calloc(1, 8192);
	size_t n;

	assert_non_null(fp);
	n = fread(buf, 1, 8191, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static char *replace(const char *s, const char *from, const char *to)
{
	const char *hit = strstr(s, from);
	char *out = calloc(1, strlen(s) + strlen(to) + 1);

	assert_non_null(hit);
	memcpy(out, s, (size_t)(hit - s));
	strcat(out, to);
	strcat(out, hit + strlen(from));
	return out;
}

static void test_jwks_rules(void **state)
{
	struct fx *f = *state;
	char *good = read_text(tk_pki("shc-jwks.json"));
	char *rogue_kid = strdup(tk_jwks_kid("shc-rogue-jwks.json"));
	struct cert_keyset *ks = NULL;
	char *bad;

	assert_int_equal(cert_keyset_parse_jwks(&ks, good, strlen(good)), 0);
	assert_int_equal(cert_keyset_count(ks), 1);
	cert_keyset_free(ks);
	/* kid that is not the key's RFC 7638 thumbprint */
	bad = replace(good, f->kid, rogue_kid);
	assert_int_equal(cert_keyset_parse_jwks(&ks, bad, strlen(bad)), KIOSK_ERR_CERT_TRUST);
	assert_null(ks);
	free(bad);
	/* a private key in the set, another curve, another key type */
	bad = replace(good, "\"use\"", "\"d\":\"AAAA\",\"use\"");
	assert_int_equal(cert_keyset_parse_jwks(&ks, bad, strlen(bad)), KIOSK_ERR_CERT_TRUST);
	free(bad);
	bad = replace(good, "P-256", "P-384");
	assert_int_equal(cert_keyset_parse_jwks(&ks, bad, strlen(bad)), KIOSK_ERR_CERT_TRUST);
	free(bad);
	bad = replace(good, "\"EC\"", "\"RSA\"");
	assert_int_equal(cert_keyset_parse_jwks(&ks, bad, strlen(bad)), KIOSK_ERR_CERT_TRUST);
	free(bad);
	assert_int_equal(cert_keyset_parse_jwks(&ks, "{\"keys\":[]}", 11), KIOSK_ERR_CERT_TRUST);
	assert_int_equal(cert_keyset_parse_jwks(&ks, "{\"keys\":", 8), KIOSK_ERR_CERT_TRUST);
	assert_int_equal(cert_keyset_load_jwks(&ks, "/nonexistent/jwks.json"), KIOSK_ERR_IO);
	free(good);
	free(rogue_kid);
}

static void test_der_signature(void **state)
{
	struct fx *f = *state;
	char *claims = tk_claims(FAMILY, GIVEN, NULL, NULL, "1980-04-01", two_doses, 2);
	char *h = tk_header(f->kid);
	char *jws = tk_make_jws(h, claims, strlen(claims), TK_ZIP_RAW, true, "shc-issuer.key.pem");

	assert_int_equal(verify(f, jws), KIOSK_ERR_CERT_SIGNATURE);
	free(claims);
	free(h);
	free(jws);
}

static void test_zlib_wrapped(void **state)
{
	struct fx *f = *state;
	char *claims = tk_claims(FAMILY, GIVEN, NULL, NULL, "1980-04-01", two_doses, 2);
	char *h = tk_header(f->kid);
	char *jws = tk_make_jws(h, claims, strlen(claims), TK_ZIP_ZLIB, false,
				"shc-issuer.key.pem");

	assert_int_equal(verify(f, jws), KIOSK_ERR_CERT_FORMAT);
	assert_true(scratch_wiped(f));
	free(jws);
	jws = tk_make_jws(h, claims, strlen(claims), TK_ZIP_GZIP, false, "shc-issuer.key.pem");
	assert_int_equal(verify(f, jws), KIOSK_ERR_CERT_FORMAT);
	free(jws);
	/* uncompressed claims (zip header says DEF) */
	{
		char *hb = tk_b64url(h, strlen(h));
		char *pb = tk_b64url(claims, strlen(claims));
		char *signing = malloc(strlen(hb) + strlen(pb) + 2);
		uint8_t sig[80];
		size_t sig_len;
		char *sb;

		sprintf(signing, "%s.%s", hb, pb);
		assert_int_equal(tk_sign("shc-issuer.key.pem", signing, strlen(signing), false, sig,
					 &sig_len), 0);
		sb = tk_b64url(sig, sig_len);
		jws = malloc(strlen(signing) + strlen(sb) + 2);
		sprintf(jws, "%s.%s", signing, sb);
		assert_int_equal(verify(f, jws), KIOSK_ERR_CERT_FORMAT);
		free(hb);
		free(pb);
		free(signing);
		free(sb);
		free(jws);
	}
	free(claims);
	free(h);
}

static void test_zip_bomb(void **state)
{
	struct fx *f = *state;
	size_t n = 1024u * 1024u;
	char *bomb = malloc(n + 64);
	char *jws;

	/* 1 MiB of claims deflates to ~1 KiB: refused at the inflate cap. */
	strcpy(bomb, "{\"iss\":\"https://center.kiosk.test/issuer\",\"pad\":\"");
	memset(bomb + strlen(bomb), 'A', n);
	strcpy(bomb + n, "\"}");
	jws = signed_claims(f, bomb);
	assert_true(strlen(jws) < CERT_SHC_JWS_MAX);
	assert_int_equal(verify(f, jws), KIOSK_ERR_CERT_TOO_LARGE);
	assert_true(scratch_wiped(f));
	free(bomb);
	free(jws);
}

static void test_header_rules(void **state)
{
	struct fx *f = *state;
	char *claims = tk_claims(FAMILY, GIVEN, NULL, NULL, "1980-04-01", two_doses, 2);
	char hdr[256];
	char *jws;
	char *x;
	static const char *const bad_headers[][2] = {
		{ "{\"alg\":\"ES384\",\"zip\":\"DEF\",\"kid\":\"", "\"}" },
		{ "{\"alg\":\"none\",\"zip\":\"DEF\",\"kid\":\"", "\"}" },
		{ "{\"alg\":\"ES256\",\"zip\":\"GZIP\",\"kid\":\"", "\"}" },
		{ "{\"alg\":\"ES256\",\"kid\":\"", "\"}" },
		{ "{\"alg\":\"ES256\",\"zip\":\"DEF\",\"kidx\":\"", "\"}" },
		{ "{\"alg\":\"ES256\",\"zip\":\"DEF\",\"kid\":\"", "\",\"alg\":\"ES256\"}" },
		{ "[\"", "\"]" },
	};

	for (size_t i = 0; i < sizeof(bad_headers) / sizeof(bad_headers[0]); i++) {
		snprintf(hdr, sizeof(hdr), "%s%s%s", bad_headers[i][0], f->kid, bad_headers[i][1]);
		jws = tk_make_jws(hdr, claims, strlen(claims), TK_ZIP_RAW, false,
				  "shc-issuer.key.pem");
		assert_int_equal(verify(f, jws), KIOSK_ERR_CERT_FORMAT);
		free(jws);
	}
	/* Japan's header was not minified: bytes as received are fine */
	snprintf(hdr, sizeof(hdr), "{\"zip\": \"DEF\", \"alg\": \"ES256\", \"kid\": \"%s\"}",
		 f->kid);
	jws = tk_make_jws(hdr, claims, strlen(claims), TK_ZIP_RAW, false, "shc-issuer.key.pem");
	assert_int_equal(verify(f, jws), 0);
	/* part structure */
	x = calloc(1, strlen(jws) + 8);
	strcpy(x, jws);
	strcat(x, ".");
	assert_int_equal(verify(f, x), KIOSK_ERR_CERT_FORMAT);
	strcpy(x, jws);
	*strrchr(x, '.') = '\0';
	assert_int_equal(verify(f, x), KIOSK_ERR_CERT_FORMAT);
	strcpy(x, jws);
	strcat(x, "=");
	assert_int_not_equal(verify(f, x), 0);
	strcpy(x, jws);
	x[strlen(x) - 1] = '\n';
	assert_int_not_equal(verify(f, x), 0);
	assert_int_equal(cert_shc_verify(jws, 0, f->ks, f->c, f->scratch, CERT_SCRATCH_SIZE),
			 KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(cert_shc_verify(jws, strlen(jws), NULL, f->c, f->scratch,
					 CERT_SCRATCH_SIZE), KIOSK_ERR_INVALID_ARG);
	free(x);
	free(jws);
	free(claims);
}

static void expect_claims(const struct fx *f, const char *claims, int want)
{
	char *jws = signed_claims(f, claims);

	assert_int_equal(verify(f, jws), want);
	free(jws);
}

static void test_claims_rules(void **state)
{
	struct fx *f = *state;
	char *good = tk_claims(FAMILY, GIVEN, NULL, NULL, "1980-04-01", two_doses, 2);
	char *bad;
	static const char *const edits[][2] = {
		{ "\"birthDate\":\"1980-04-01\"", "\"birthdate\":\"1980-04-01\"" },
		{ "1980-04-01", "1980-04" },
		{ "1980-04-01", "1980-02-30" },
		{ "https://smarthealth.cards#health-card", "https://smarthealth.cards#other" },
		{ "https://center.kiosk.test/issuer", "http://center.kiosk.test/issuer" },
		{ "https://center.kiosk.test/issuer", "https://center.kiosk.test/issuer/" },
		{ "\"nbf\":1764064800.25", "\"nbf\":\"1764064800\"" },
		{ "\"nbf\":1764064800.25", "\"nbf\":1.7e9" },
		{ "\"nbf\":1764064800.25,", "" },
		{ "\"resourceType\":\"Bundle\"", "\"resourceType\":\"Bundel\"" },
		{ "\"resourceType\":\"Patient\"", "\"resourceType\":\"Person\"" },
		{ "\"family\":\"" FAMILY "\"", "\"family\":\"\"" },
		{ "\"given\":[\"" GIVEN "\"]", "\"given\":[]" },
		{ "http://hl7.org/fhir/sid/cvx", "http://snomed.info/sct" },
		{ "\"code\":\"208\"", "\"code\":\"2O8\"" },
		{ "2021-06-01", "2021-13-01" },
		{ "\"reference\":\"resource:0\"", "\"reference\":\"resource:9\"" },
		{ "\"status\":\"completed\"", "\"state\":\"completed\"" },
		{ "\"lotNumber\":\"FA1234\"", "\"lotNumber\":\"FA\\u00001234\"" },
		{ "\"lotNumber\":\"FA1234\"",
		  "\"lotNumber\":\"FA1234FA1234FA1234FA1234FA1234FA1234\"" },
	};
	static const int want[] = {
		KIOSK_ERR_CERT_FORMAT, KIOSK_ERR_CERT_FORMAT, KIOSK_ERR_CERT_FORMAT,
		KIOSK_ERR_CERT_FORMAT, KIOSK_ERR_CERT_FORMAT, KIOSK_ERR_CERT_FORMAT,
		KIOSK_ERR_CERT_FORMAT, KIOSK_ERR_CERT_FORMAT, KIOSK_ERR_CERT_FORMAT,
		KIOSK_ERR_CERT_FORMAT, KIOSK_ERR_CERT_FORMAT, KIOSK_ERR_CERT_FORMAT,
		KIOSK_ERR_CERT_FORMAT, KIOSK_ERR_CERT_FORMAT, KIOSK_ERR_CERT_FORMAT,
		KIOSK_ERR_CERT_FORMAT, KIOSK_ERR_CERT_FORMAT, KIOSK_ERR_CERT_FORMAT,
		KIOSK_ERR_CERT_FORMAT, KIOSK_ERR_CERT_TOO_LARGE,
	};

	expect_claims(f, good, 0);
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		bad = replace(good, edits[i][0], edits[i][1]);
		expect_claims(f, bad, want[i]);
		free(bad);
	}
	expect_claims(f, "{not json", KIOSK_ERR_CERT_FORMAT);
	expect_claims(f, "[]", KIOSK_ERR_CERT_FORMAT);
	expect_claims(f, "{\"iss\":\"https://center.kiosk.test/issuer\",\"nbf\":1}",
		      KIOSK_ERR_CERT_FORMAT);
	/* an expired card */
	bad = replace(good, "\"nbf\":1764064800.25", "\"nbf\":1764064800.25,\"exp\":1600000000");
	expect_claims(f, bad, KIOSK_ERR_CERT_FORMAT);
	free(bad);
	/* two Patients: whose card is it? */
	bad = replace(good, "{\"fullUrl\":\"resource:1\"",
		      "{\"resource\":{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"X\","
		      "\"given\":[\"Y\"]}],\"birthDate\":\"1990-01-01\"}},"
		      "{\"fullUrl\":\"resource:1\"");
	expect_claims(f, bad, KIOSK_ERR_CERT_FORMAT);
	free(bad);
	/* a dose entered in error is not a dose */
	bad = replace(good, "\"status\":\"completed\"", "\"status\":\"entered-in-error\"");
	expect_claims(f, bad, 0);
	assert_int_equal(f->c->dose_count, 1);
	assert_string_equal(f->c->doses[0].date, "20210622");
	free(bad);
	free(good);
}

static void test_family_only(void **state)
{
	struct fx *f = *state;
	/* a card name without a U+3000 separator is issued as family only */
	char *claims = tk_claims(FAMILY GIVEN, NULL, NULL, NULL, "1980-04-01", two_doses, 2);
	char *jws = signed_claims(f, claims);

	assert_int_equal(verify(f, jws), 0);
	assert_string_equal(f->c->family, FAMILY GIVEN);
	assert_string_equal(f->c->given, "");
	assert_int_equal(cert_check_holder(f->c, FAMILY GIVEN, "19800401"), 0);
	assert_int_equal(cert_check_holder(f->c, FAMILY "\xe3\x80\x80" GIVEN, "19800401"),
			 KIOSK_ERR_CERT_HOLDER_MISMATCH);
	free(claims);
	free(jws);
}

static void test_five_most_recent(void **state)
{
	struct fx *f = *state;
	/* seven doses, out of order in the bundle */
	static const struct tk_dose seven[] = {
		{ "208", "2022-11-20", "L5" },
		{ "208", "2021-06-01", "L1" },
		{ "300", "2023-10-01", "L7" },
		{ "207", "2022-03-05", "L4" },
		{ "208", "2021-06-22", "L2" },
		{ "208", "2023-05-15", "L6" },
		{ "207", "2021-12-24", "L3" },
	};
	char *claims = tk_claims(FAMILY, GIVEN, "YAMADA", "TARO", "1980-04-01", seven, 7);
	char *jws = signed_claims(f, claims);
	const struct kiosk_certificate *c = f->c;

	assert_int_equal(verify(f, jws), 0);
	assert_int_equal(c->doses_on_record, 7);
	assert_int_equal(c->dose_count, CERT_DOSES_MAX);
	for (unsigned i = 0; i < 5; i++) {
		char lot[4];

		snprintf(lot, sizeof(lot), "L%u", i + 3);
		assert_int_equal(c->doses[i].number, i + 3);
		assert_string_equal(c->doses[i].lot, lot);
	}
	assert_string_equal(c->doses[0].date, "20211224");
	assert_string_equal(c->doses[4].date, "20231001");
	assert_string_equal(c->doses[4].product, "Comirnaty bivalent");
	free(claims);
	free(jws);
}

static void test_parse_only_and_scratch(void **state)
{
	struct fx *f = *state;
	char *claims = tk_claims(FAMILY, GIVEN, NULL, NULL, "1980-04-01", two_doses, 2);

	assert_int_equal(cert_shc_parse_claims(claims, strlen(claims), f->c, f->scratch,
					       CERT_SCRATCH_SIZE), 0);
	assert_string_equal(f->c->family, FAMILY);
	/* a scratch buffer too small fails cleanly */
	assert_int_equal(cert_shc_parse_claims(claims, strlen(claims), f->c, f->scratch, 256),
			 KIOSK_ERR_CERT_TOO_LARGE);
	assert_string_equal(f->c->family, "");
	free(claims);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_domestic),
		cmocka_unit_test(test_valid_overseas_names),
		cmocka_unit_test(test_in_vault),
		cmocka_unit_test(test_forged),
		cmocka_unit_test(test_unknown_kid),
		cmocka_unit_test(test_jwks_rules),
		cmocka_unit_test(test_der_signature),
		cmocka_unit_test(test_zlib_wrapped),
		cmocka_unit_test(test_zip_bomb),
		cmocka_unit_test(test_header_rules),
		cmocka_unit_test(test_claims_rules),
		cmocka_unit_test(test_family_only),
		cmocka_unit_test(test_five_most_recent),
		cmocka_unit_test(test_parse_only_and_scratch),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
