/* SPDX-License-Identifier: MIT */
/* Holder binding: the certificate must be the card holder's. Fictitious names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "kiosk/certificate.h"
#include "kiosk/err.h"

#define FAMILY "\xe5\xb1\xb1\xe7\x94\xb0"  /* 山田 */
#define GIVEN "\xe5\xa4\xaa\xe9\x83\x8e"   /* 太郎 */
#define GIVEN2 "\xe6\xac\xa1\xe9\x83\x8e"  /* 次郎 */
#define IDSP "\xe3\x80\x80"                /* U+3000 */

static struct kiosk_certificate cert;

static int setup(void **state)
{
	(void)state;
	cert_clear(&cert);
	strcpy(cert.family, FAMILY);
	strcpy(cert.given, GIVEN);
	strcpy(cert.birth_date, "19800401");
	return 0;
}

static void test_match(void **state)
{
	(void)state;
	assert_int_equal(cert_check_holder(&cert, FAMILY IDSP GIVEN, "19800401"), 0);
}

static void test_separator_normalised(void **state)
{
	(void)state;
	assert_int_equal(cert_check_holder(&cert, FAMILY " " GIVEN, "19800401"), 0);
	assert_int_equal(cert_check_holder(&cert, FAMILY IDSP IDSP GIVEN, "19800401"), 0);
	assert_int_equal(cert_check_holder(&cert, FAMILY IDSP " " GIVEN IDSP, "19800401"), 0);
	assert_int_equal(cert_check_holder(&cert, IDSP FAMILY IDSP GIVEN, "19800401"), 0);
	/* without any separator the family/given boundary is unknown: refused */
	assert_int_equal(cert_check_holder(&cert, FAMILY GIVEN, "19800401"),
			 KIOSK_ERR_CERT_HOLDER_MISMATCH);
	/* a separator in the wrong place is another name */
	assert_int_equal(cert_check_holder(&cert, "\xe5\xb1\xb1" IDSP "\xe7\x94\xb0" GIVEN,
					   "19800401"), KIOSK_ERR_CERT_HOLDER_MISMATCH);
}

static void test_name_mismatch(void **state)
{
	(void)state;
	assert_int_equal(cert_check_holder(&cert, FAMILY IDSP GIVEN2, "19800401"),
			 KIOSK_ERR_CERT_HOLDER_MISMATCH);
	assert_int_equal(cert_check_holder(&cert, GIVEN IDSP FAMILY, "19800401"),
			 KIOSK_ERR_CERT_HOLDER_MISMATCH);
	assert_int_equal(cert_check_holder(&cert, FAMILY, "19800401"),
			 KIOSK_ERR_CERT_HOLDER_MISMATCH);
	assert_int_equal(cert_check_holder(&cert, "", "19800401"), KIOSK_ERR_CERT_HOLDER_MISMATCH);
	assert_int_equal(cert_check_holder(&cert, FAMILY IDSP GIVEN "x", "19800401"),
			 KIOSK_ERR_CERT_HOLDER_MISMATCH);
}

static void test_birth_mismatch(void **state)
{
	(void)state;
	assert_int_equal(cert_check_holder(&cert, FAMILY IDSP GIVEN, "19800402"),
			 KIOSK_ERR_CERT_HOLDER_MISMATCH);
	assert_int_equal(cert_check_holder(&cert, FAMILY IDSP GIVEN, "1980040"),
			 KIOSK_ERR_CERT_HOLDER_MISMATCH);
	assert_int_equal(cert_check_holder(&cert, FAMILY IDSP GIVEN, ""),
			 KIOSK_ERR_CERT_HOLDER_MISMATCH);
}

static void test_vds_birth(void **state)
{
	(void)state;
	cert.vds.present = true;
	strcpy(cert.vds.birth_date, "19800401");
	assert_int_equal(cert_check_holder(&cert, FAMILY IDSP GIVEN, "19800401"), 0);
	strcpy(cert.vds.birth_date, "19810401");
	assert_int_equal(cert_check_holder(&cert, FAMILY IDSP GIVEN, "19800401"),
			 KIOSK_ERR_CERT_HOLDER_MISMATCH);
	/* the seal's romaji name must be the SHC's */
	strcpy(cert.vds.birth_date, "19800401");
	strcpy(cert.romaji_family, "YAMADA");
	strcpy(cert.romaji_given, "TARO");
	strcpy(cert.vds.name, "YAMADA TARO");
	assert_int_equal(cert_check_holder(&cert, FAMILY IDSP GIVEN, "19800401"), 0);
	strcpy(cert.vds.name, "SATO HANAKO");
	assert_int_equal(cert_check_holder(&cert, FAMILY IDSP GIVEN, "19800401"),
			 KIOSK_ERR_CERT_HOLDER_MISMATCH);
	strcpy(cert.vds.name, "YAMADATARO");
	assert_int_equal(cert_check_holder(&cert, FAMILY IDSP GIVEN, "19800401"),
			 KIOSK_ERR_CERT_HOLDER_MISMATCH);
}

static void test_empty_certificate(void **state)
{
	struct kiosk_certificate empty;

	(void)state;
	cert_clear(&empty);
	assert_int_equal(cert_check_holder(&empty, IDSP, ""), KIOSK_ERR_CERT_HOLDER_MISMATCH);
	assert_int_equal(cert_check_holder(NULL, "a", "19800401"), KIOSK_ERR_INVALID_ARG);
	assert_int_equal(cert_check_holder(&cert, NULL, "19800401"), KIOSK_ERR_INVALID_ARG);
}

static void test_set_issuance(void **state)
{
	(void)state;
	assert_int_equal(cert_set_issuance(&cert, "JP-131016-000123", "2026-11-25T10:00:00Z",
					   "131016", CERT_TYPE_OVERSEAS), 0);
	assert_string_equal(cert.certificate_id, "JP-131016-000123");
	assert_string_equal(cert.municipality, "131016");
	assert_int_equal(cert.type, CERT_TYPE_OVERSEAS);
	assert_int_equal(cert_set_issuance(&cert, "JP 1", "x", "131016", CERT_TYPE_DOMESTIC),
			 KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(cert_set_issuance(&cert, "JP-1", "x", "13101", CERT_TYPE_DOMESTIC),
			 KIOSK_ERR_CERT_FORMAT);
	assert_int_equal(cert_set_issuance(&cert, "JP-1-0123456789012345678901234567890", "x",
					   "131016", CERT_TYPE_DOMESTIC), KIOSK_ERR_CERT_FORMAT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_match, setup),
		cmocka_unit_test_setup(test_separator_normalised, setup),
		cmocka_unit_test_setup(test_name_mismatch, setup),
		cmocka_unit_test_setup(test_birth_mismatch, setup),
		cmocka_unit_test_setup(test_vds_birth, setup),
		cmocka_unit_test_setup(test_empty_certificate, setup),
		cmocka_unit_test_setup(test_set_issuance, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
