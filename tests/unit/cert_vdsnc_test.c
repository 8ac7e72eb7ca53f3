/* SPDX-License-Identifier: MIT */
/*
 * VDS-NC seals signed here with the TEST-ONLY signer (chained to the test
 * CSCA). The data is written with keys out of order and with whitespace, so a
 * verifier that does not canonicalise (JCS) fails. Fictitious holder.
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

#include "cert_testkit.h"

#define CARD_NAME "\xe5\xb1\xb1\xe7\x94\xb0\xe3\x80\x80\xe5\xa4\xaa\xe9\x83\x8e" /* 山田　太郎 */

#define DATA_FMT_HDR "\"hdr\": {\"v\": 1, \"t\": \"%s\", \"is\": \"%s\"}"

static const char data_msg[] =
	"\"msg\": {\"uvci\": \"U32870000001\", \"ve\": ["
	"{\"nam\": \"COMIRNATY\", \"des\": \"XM0GQ8\", \"dis\": \"RA01.0\", \"vd\": "
	"[{\"seq\": 2, \"lot\": \"FA5678\", \"dvc\": \"2021-06-22\", \"ctr\": \"JPN\", "
	"\"adm\": \"MHLW_Gov_of_JAPAN\"}]},"
	"{\"nam\": \"COMIRNATY\", \"des\": \"XM0GQ8\", \"dis\": \"RA01.0\", \"vd\": "
	"[{\"seq\": 1, \"lot\": \"FA1234\", \"dvc\": \"2021-06-01\", \"ctr\": \"JPN\", "
	"\"adm\": \"MHLW_Gov_of_JAPAN\"}]}], "
	"\"pid\": {\"n\": \"YAMADA TARO\", \"i\": \"TK0000000\", \"dob\": \"1980-04-01\", "
	"\"ai\": \"JPN90000120211130000001\"}}";

struct fx {
	struct cert_csca *csca;
	uint8_t *scratch;
	struct kiosk_certificate *c;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(cert_csca_load(&f->csca, tk_pki("csca.crt.pem")), 0);
	f->scratch = calloc(1, CERT_SCRATCH_SIZE);
	f->c = calloc(1, sizeof(*f->c));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	cert_csca_free(f->csca);
	free(f->scratch);
	free(f->c);
	free(f);
	return 0;
}

static char *data_json(const char *t, const char *is)
{
	char *d = malloc(sizeof(data_msg) + 128);
	int n = sprintf(d, "{");

	n += sprintf(d + n, DATA_FMT_HDR, t, is);
	sprintf(d + n, ", %s}", data_msg);
	return d;
}

static char *seal(const char *t, const char *is, const char *signer)
{
	char key[64];
	char crt[64];
	char *d = data_json(t, is);
	char *s;

	snprintf(key, sizeof(key), "%s.key.pem", signer);
	snprintf(crt, sizeof(crt), "%s.crt.pem", signer);
	s = tk_make_vds(d, key, crt);
	free(d);
	return s;
}

static int verify(const struct fx *f, const char *s)
{
	return cert_vdsnc_verify(s, strlen(s), f->csca, f->c, f->scratch, CERT_SCRATCH_SIZE);
}

static void test_valid(void **state)
{
	struct fx *f = *state;
	char *s = seal("icao.vacc", "JPN", "vdsnc-signer");
	const struct cert_vds *v = &f->c->vds;

	cert_clear(f->c);
	assert_int_equal(verify(f, s), 0);
	assert_true(v->present);
	assert_string_equal(v->issuing_state, "JPN");
	assert_string_equal(v->uvci, "U32870000001");
	assert_string_equal(v->name, "YAMADA TARO");
	assert_string_equal(v->birth_date, "19800401");
	assert_string_equal(v->passport, "TK0000000");
	assert_string_equal(v->extra_id, "JPN90000120211130000001");
	assert_int_equal(v->dose_count, 2);
	assert_int_equal(v->doses[0].number, 1);
	assert_string_equal(v->doses[0].date, "20210601");
	assert_string_equal(v->doses[0].lot, "FA1234");
	assert_string_equal(v->doses[0].vaccine_code, "XM0GQ8");
	assert_string_equal(v->doses[0].product, "COMIRNATY");
	assert_string_equal(v->doses[0].country, "JPN");
	assert_string_equal(v->doses[0].performer, "MHLW_Gov_of_JAPAN");
	assert_int_equal(v->doses[1].number, 2);
	assert_string_equal(v->doses[1].lot, "FA5678");
	/* overseas fields of the model */
	assert_string_equal(f->c->passport, "TK0000000");
	assert_string_equal(f->c->romaji_family, "YAMADA");
	assert_string_equal(f->c->romaji_given, "TARO");
	for (size_t i = 0; i < CERT_SCRATCH_SIZE; i++) {
		assert_int_equal(f->scratch[i], 0);
	}
	free(s);
}

static void test_array_wrapped(void **state)
{
	struct fx *f = *state;
	char *s = seal("icao.vacc", "JPN", "vdsnc-signer");
	char *w = malloc(strlen(s) + 3);

	sprintf(w, "[%s]", s);
	assert_int_equal(verify(f, w), 0);
	free(w);
	free(s);
}

static void test_foreign_signer(void **state)
{
	struct fx *f = *state;
	char *s = seal("icao.vacc", "JPN", "foreign-signer");
	struct cert_csca *foreign = NULL;

	assert_int_equal(verify(f, s), KIOSK_ERR_CERT_CHAIN);
	assert_false(f->c->vds.present);
	assert_string_equal(f->c->vds.name, "");
	/* it is a good seal for whoever trusts the foreign CSCA */
	assert_int_equal(cert_csca_load(&foreign, tk_pki("foreign-csca.crt.pem")), 0);
	assert_int_equal(cert_vdsnc_verify(s, strlen(s), foreign, f->c, f->scratch,
					   CERT_SCRATCH_SIZE), 0);
	cert_csca_free(foreign);
	free(s);
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

static void test_tampered(void **state)
{
	struct fx *f = *state;
	char *s = seal("icao.vacc", "JPN", "vdsnc-signer");
	char *t;

	t = replace(s, "FA1234", "FA1235");
	assert_int_equal(verify(f, t), KIOSK_ERR_CERT_SIGNATURE);
	free(t);
	t = replace(s, "\"seq\": 1", "\"seq\": 3");
	assert_int_equal(verify(f, t), KIOSK_ERR_CERT_SIGNATURE);
	free(t);
	t = replace(s, "1980-04-01", "1980-04-02");
	assert_int_equal(verify(f, t), KIOSK_ERR_CERT_SIGNATURE);
	free(t);
	/* re-ordering or re-spacing data keeps the canonical form: still valid */
	t = replace(s, "\"uvci\": \"U32870000001\", ", "");
	{
		char *u = replace(t, "\"pid\": {", "\"uvci\":\"U32870000001\",\"pid\":{");

		assert_int_equal(verify(f, u), 0);
		free(u);
	}
	free(t);
	/* a DER signature, a short one, the signer cert of another key */
	t = replace(s, "\"alg\":\"ES256\"", "\"alg\":\"ES384\"");
	assert_int_equal(verify(f, t), KIOSK_ERR_CERT_FORMAT);
	free(t);
	{
		const char *sv = strstr(s, "\"sigvl\":\"") + 9;
		char *u = strdup(s);

		strcpy(u + (sv - s), "AAAA\"}}");
		assert_int_equal(verify(f, u), KIOSK_ERR_CERT_SIGNATURE);
		free(u);
	}
	free(s);
}

static void test_cross_key(void **state)
{
	struct fx *f = *state;
	char *d = data_json("icao.vacc", "JPN");
	/* signed by the foreign key, but carrying our (chaining) signer cert */
	char *s = tk_make_vds(d, "foreign-signer.key.pem", "vdsnc-signer.crt.pem");

	assert_int_equal(verify(f, s), KIOSK_ERR_CERT_SIGNATURE);
	free(s);
	free(d);
}

static void test_header_rules(void **state)
{
	struct fx *f = *state;
	char *s;

	s = seal("icao.test", "JPN", "vdsnc-signer");
	assert_int_equal(verify(f, s), KIOSK_ERR_CERT_FORMAT);
	free(s);
	s = seal("icao.vacc", "USA", "vdsnc-signer");
	assert_int_equal(verify(f, s), KIOSK_ERR_CERT_FORMAT);
	free(s);
	s = seal("icao.vacc", "JPN", "vdsnc-signer");
	{
		char *t = replace(s, "\"v\": 1", "\"v\": 2");

		assert_int_equal(verify(f, t), KIOSK_ERR_CERT_FORMAT);
		free(t);
		t = replace(s, "\"v\": 1", "\"v\": 1.0");
		assert_int_equal(verify(f, t), KIOSK_ERR_CERT_FORMAT);
		free(t);
		t = replace(s, "\"uvci\": \"U32870000001\", ",
			    "\"uvci\": 1, \"uvci\": \"U32870000001\", ");
		assert_int_equal(verify(f, t), KIOSK_ERR_CERT_FORMAT);
		free(t);
		t = replace(s, "\"n\": \"YAMADA TARO\", ", "");
		assert_int_equal(verify(f, t), KIOSK_ERR_CERT_FORMAT);
		free(t);
	}
	assert_int_equal(verify(f, "{}"), KIOSK_ERR_CERT_FORMAT);
	{
		size_t big = CERT_VDS_MAX + 1;
		char *t = malloc(big + 1);

		memset(t, ' ', big);
		t[0] = '{';
		t[big - 1] = '}';
		t[big] = '\0';
		assert_int_equal(verify(f, t), KIOSK_ERR_CERT_TOO_LARGE);
		free(t);
	}
	assert_int_equal(verify(f, "[{},{}]"), KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(cert_vdsnc_verify(s, strlen(s), NULL, f->c, f->scratch, CERT_SCRATCH_SIZE),
			 KIOSK_ERR_INVALID_ARG);
	free(s);
}

/* The overseas flow: SHC first, then the seal into the same model, then the holder. */
static void test_overseas_flow(void **state)
{
	struct fx *f = *state;
	static const struct tk_dose doses[] = {
		{ "208", "2021-06-01", "FA1234" },
		{ "208", "2021-06-22", "FA5678" },
	};
	char *claims = tk_claims("\xe5\xb1\xb1\xe7\x94\xb0", "\xe5\xa4\xaa\xe9\x83\x8e",
				 "YAMADA", "TARO", "1980-04-01", doses, 2);
	char *h = tk_header(tk_jwks_kid("shc-jwks.json"));
	char *jws = tk_make_jws(h, claims, strlen(claims), TK_ZIP_RAW, false, "shc-issuer.key.pem");
	char *s = seal("icao.vacc", "JPN", "vdsnc-signer");
	struct cert_keyset *ks = NULL;

	assert_int_equal(cert_keyset_load_jwks(&ks, tk_pki("shc-jwks.json")), 0);
	assert_int_equal(cert_shc_verify(jws, strlen(jws), ks, f->c, f->scratch, CERT_SCRATCH_SIZE),
			 0);
	assert_int_equal(verify(f, s), 0);
	assert_string_equal(f->c->passport, "TK0000000");
	assert_string_equal(f->c->family, "\xe5\xb1\xb1\xe7\x94\xb0");
	assert_int_equal(f->c->dose_count, 2);
	assert_int_equal(f->c->vds.dose_count, 2);
	assert_int_equal(cert_check_holder(f->c, CARD_NAME, "19800401"), 0);
	assert_int_equal(cert_check_holder(f->c, CARD_NAME, "19800402"),
			 KIOSK_ERR_CERT_HOLDER_MISMATCH);
	cert_keyset_free(ks);
	free(claims);
	free(h);
	free(jws);
	free(s);
}

static void test_csca_load(void **state)
{
	struct cert_csca *c = NULL;

	(void)state;
	assert_int_equal(cert_csca_load(&c, "/nonexistent.pem"), KIOSK_ERR_CERT_TRUST);
	assert_null(c);
	assert_int_equal(cert_csca_load(&c, tk_pki("shc-jwks.json")), KIOSK_ERR_CERT_TRUST);
	assert_null(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_array_wrapped),
		cmocka_unit_test(test_foreign_signer),
		cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_cross_key),
		cmocka_unit_test(test_header_rules),
		cmocka_unit_test(test_overseas_flow),
		cmocka_unit_test(test_csca_load),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
