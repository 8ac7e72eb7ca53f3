/* SPDX-License-Identifier: MIT */
/*
 * Trust-anchor directory loading. The keys are generated here (public halves
 * written to a private temp directory; no personal data involved).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>

#include "kiosk/err.h"
#include "kiosk/mynacard.h"
#include "mnc_anchors.h"

#define PROD_ID "35303030303333080530303100000000" /* "5000033/001" */
#define PROD_ID2 "35303030303230080530303100000000" /* "5000020/001" */
#define TEST_ID "36303030303333080530303100000000" /* "6000033/001" (test hierarchy) */

static mbedtls_pk_context rsa2048, rsa1024, ec;
static char pem2048[4096], pem1024[4096], pemec[4096];
static char dir[64];

static int rnd_setup(mbedtls_entropy_context *e, mbedtls_ctr_drbg_context *d)
{
	static const char pers[] = "mnc_anchors_test";

	mbedtls_entropy_init(e);
	mbedtls_ctr_drbg_init(d);
	return mbedtls_ctr_drbg_seed(d, mbedtls_entropy_func, e, (const unsigned char *)pers,
				     sizeof(pers));
}

static int group_setup(void **state)
{
	mbedtls_entropy_context e;
	mbedtls_ctr_drbg_context d;
	int rc;

	(void)state;
	rc = rnd_setup(&e, &d);
	mbedtls_pk_init(&rsa2048);
	mbedtls_pk_init(&rsa1024);
	mbedtls_pk_init(&ec);
	rc |= mbedtls_pk_setup(&rsa2048, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA));
	rc |= mbedtls_rsa_gen_key(mbedtls_pk_rsa(rsa2048), mbedtls_ctr_drbg_random, &d, 2048,
				  65537);
	rc |= mbedtls_pk_setup(&rsa1024, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA));
	rc |= mbedtls_rsa_gen_key(mbedtls_pk_rsa(rsa1024), mbedtls_ctr_drbg_random, &d, 1024,
				  65537);
	rc |= mbedtls_pk_setup(&ec, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
	rc |= mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(ec),
				  mbedtls_ctr_drbg_random, &d);
	rc |= mbedtls_pk_write_pubkey_pem(&rsa2048, (unsigned char *)pem2048, sizeof(pem2048));
	rc |= mbedtls_pk_write_pubkey_pem(&rsa1024, (unsigned char *)pem1024, sizeof(pem1024));
	rc |= mbedtls_pk_write_pubkey_pem(&ec, (unsigned char *)pemec, sizeof(pemec));
	mbedtls_ctr_drbg_free(&d);
	mbedtls_entropy_free(&e);
	return rc == 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	mbedtls_pk_free(&rsa2048);
	mbedtls_pk_free(&rsa1024);
	mbedtls_pk_free(&ec);
	return 0;
}

static int make_dir(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/mnc_anchors_XXXXXX");
	return mkdtemp(dir) != NULL ? 0 : -1;
}

static int remove_dir(void **state)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[512];

	(void)state;
	if (d != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
				snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
				unlink(p);
			}
		}
		closedir(d);
	}
	rmdir(dir);
	return 0;
}

static void put(const char *name, const char *prefix, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	if (prefix != NULL) {
		fputs(prefix, f);
	}
	fputs(text, f);
	fclose(f);
}

static void unhex16(const char *hex, uint8_t id[MNC_KEY_ID_LEN])
{
	for (int i = 0; i < MNC_KEY_ID_LEN; i++) {
		unsigned v;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		id[i] = (uint8_t)v;
	}
}

static void loads_production_key_with_comment(void **state)
{
	struct mnc_anchors *a = NULL;
	uint8_t id[MNC_KEY_ID_LEN];
	const struct mnc_rsa_pub *k;
	uint8_t n[256];

	(void)state;
	put(PROD_ID ".pem", "# kenhojo CA 5000033/001\n", pem2048);
	/* not anchor files: ignored */
	put("README", NULL, "not a key\n");
	put("abc.pem", NULL, "not a key\n");
	put(PROD_ID ".pem.bak", NULL, "x");
	put(PROD_ID ".txt", NULL, "x");
	put("3530303030333308053030310000000.pem", NULL, "x"); /* 31 hex digits */
	put("3530303030333308053030310000000G.pem", NULL, "x"); /* not hex */

	assert_int_equal(mnc_anchors_load_dir(&a, dir, true), 0);
	assert_non_null(a);
	assert_int_equal(mnc_anchors_count(a), 1);
	unhex16(PROD_ID, id);
	k = mnc_anchors_find(a, id);
	assert_non_null(k);
	assert_int_equal(mbedtls_mpi_write_binary(&mbedtls_pk_rsa(rsa2048)->N, n, sizeof(n)), 0);
	assert_memory_equal(k->n, n, sizeof(n));
	assert_int_equal(k->e_len, 3);
	/* every byte of the id counts, including the padding */
	id[15] ^= 1;
	assert_null(mnc_anchors_find(a, id));
	mnc_anchors_free(a);
	mnc_anchors_free(NULL);
	assert_int_equal(mnc_anchors_count(NULL), 0);
}

static void uppercase_and_two_keys(void **state)
{
	struct mnc_anchors *a = NULL;

	(void)state;
	put(PROD_ID ".pem", NULL, pem2048);
	put("3530303030323008053030310000000A.pem", NULL, pem2048);
	assert_int_equal(mnc_anchors_load_dir(&a, dir, true), 0);
	assert_int_equal(mnc_anchors_count(a), 2);
	mnc_anchors_free(a);
}

static void duplicate_id_refused(void **state)
{
	struct mnc_anchors *a = NULL;

	(void)state;
	put("3530303030323008053030310000000A.pem", NULL, pem2048);
	put("3530303030323008053030310000000a.pem", NULL, pem2048);
	assert_int_equal(mnc_anchors_load_dir(&a, dir, false), KIOSK_ERR_CONFIG);
	assert_null(a);
}

static void test_id_refused_in_production(void **state)
{
	struct mnc_anchors *a = NULL;

	(void)state;
	put(PROD_ID ".pem", NULL, pem2048);
	put(TEST_ID ".pem", NULL, pem2048);
	assert_int_equal(mnc_anchors_load_dir(&a, dir, true), KIOSK_ERR_TEST_ANCHOR);
	assert_null(a);
	assert_int_equal(mnc_anchors_load_dir(&a, dir, false), 0);
	assert_int_equal(mnc_anchors_count(a), 2);
	mnc_anchors_free(a);
}

static void test_only_mark_refused_in_production(void **state)
{
	struct mnc_anchors *a = NULL;

	(void)state;
	put(PROD_ID2 ".pem", "# TEST-ONLY: generated by certs/make-test-pki.sh\n", pem2048);
	assert_int_equal(mnc_anchors_load_dir(&a, dir, true), KIOSK_ERR_TEST_ANCHOR);
	assert_null(a);
	assert_int_equal(mnc_anchors_load_dir(&a, dir, false), 0);
	assert_int_equal(mnc_anchors_count(a), 1);
	mnc_anchors_free(a);
}

static void wrong_keys_refused(void **state)
{
	struct mnc_anchors *a = NULL;

	(void)state;
	put(PROD_ID ".pem", NULL, pem1024);
	assert_int_equal(mnc_anchors_load_dir(&a, dir, false), KIOSK_ERR_CONFIG);
	put(PROD_ID ".pem", NULL, pemec);
	assert_int_equal(mnc_anchors_load_dir(&a, dir, false), KIOSK_ERR_CONFIG);
	put(PROD_ID ".pem", NULL, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
	assert_int_equal(mnc_anchors_load_dir(&a, dir, false), KIOSK_ERR_CONFIG);
	put(PROD_ID ".pem", NULL, "");
	assert_int_equal(mnc_anchors_load_dir(&a, dir, false), KIOSK_ERR_CONFIG);
	assert_null(a);
}

static void empty_and_missing(void **state)
{
	struct mnc_anchors *a = NULL;

	(void)state;
	assert_int_equal(mnc_anchors_load_dir(&a, dir, true), KIOSK_ERR_ANCHORS_MISSING);
	assert_null(a);
	/* a development board may run without anchors: every chain is then unknown_ca */
	assert_int_equal(mnc_anchors_load_dir(&a, dir, false), 0);
	assert_int_equal(mnc_anchors_count(a), 0);
	mnc_anchors_free(a);
	a = NULL;
	put("README", NULL, "only this\n");
	assert_int_equal(mnc_anchors_load_dir(&a, dir, true), KIOSK_ERR_ANCHORS_MISSING);
	assert_int_equal(mnc_anchors_load_dir(&a, "/nonexistent/anchors", true),
			 KIOSK_ERR_ANCHORS_MISSING);
	assert_int_equal(mnc_anchors_load_dir(&a, "/nonexistent/anchors", false),
			 KIOSK_ERR_ANCHORS_MISSING);
	assert_int_equal(mnc_anchors_load_dir(NULL, dir, false), KIOSK_ERR_INVALID_ARG);
	assert_int_equal(mnc_anchors_load_dir(&a, NULL, false), KIOSK_ERR_INVALID_ARG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(loads_production_key_with_comment, make_dir,
						remove_dir),
		cmocka_unit_test_setup_teardown(uppercase_and_two_keys, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(duplicate_id_refused, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_id_refused_in_production, make_dir,
						remove_dir),
		cmocka_unit_test_setup_teardown(test_only_mark_refused_in_production, make_dir,
						remove_dir),
		cmocka_unit_test_setup_teardown(wrong_keys_refused, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(empty_and_missing, make_dir, remove_dir),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
