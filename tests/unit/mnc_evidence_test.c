/* SPDX-License-Identifier: MIT */
/* mnc_verify_evidence: a simulated card's files and challenge signature
 * verify; every tampering fails at the right check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kiosk/err.h"
#include "kiosk/mynacard.h"
#include "refcenter_card.h"

struct fx {
	struct mnc_anchors *anchors;
	struct refc_evidence e;
	uint8_t chal[32];
	struct mnc_evidence ev;
	struct mnc_personal p;
};

static int setup(void **state)
{
	char dir[4096];
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	for (size_t i = 0; i < sizeof(f->chal); i++) {
		f->chal[i] = (uint8_t)(i * 7 + 1);
	}
	snprintf(dir, sizeof(dir), "%s/anchors", getenv("KIOSK_TEST_PKI"));
	assert_int_equal(mnc_anchors_load_dir(&f->anchors, dir, false), 0);
	assert_int_equal(refc_card_evidence("standard", f->chal, sizeof(f->chal), &f->e), 0);
	refc_evidence_view(&f->e, f->chal, sizeof(f->chal), &f->ev);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	mnc_anchors_free(f->anchors);
	free(f);
	return 0;
}

static void happy_path(void **state)
{
	struct fx *f = *state;
	enum mnc_chain_result step;

	assert_int_equal(mnc_verify_evidence(f->anchors, &f->ev, &step, &f->p), 0);
	assert_int_equal(step, MNC_CHAIN_OK);
	assert_string_equal(f->p.my_number, "123456789018");
	assert_string_equal(f->p.birth_date, "19850412");
	assert_int_equal(f->p.family_len, strlen("見本"));
	assert_string_equal(f->p.name + f->p.given_off, "花子");
}

static void expect(struct fx *f, int err, enum mnc_chain_result want_step)
{
	enum mnc_chain_result step;

	memset(&f->p, 0x55, sizeof(f->p));
	assert_int_equal(mnc_verify_evidence(f->anchors, &f->ev, &step, &f->p), err);
	assert_int_equal(step, want_step);
	/* nothing unverified is left behind */
	for (size_t i = 0; i < sizeof(f->p); i++) {
		assert_int_equal(((uint8_t *)&f->p)[i], 0);
	}
}

static void flip(struct fx *f, size_t file, size_t off)
{
	f->e.ef[file][off] ^= 0x01;
}

static void tampered_my_number(void **state)
{
	struct fx *f = *state;

	flip(f, 0, 5);
	expect(f, KIOSK_ERR_CHAIN_MYNUMBER_HASH, MNC_CHAIN_MY_NUMBER_HASH);
}

static void tampered_filler(void **state)
{
	struct fx *f = *state;

	/* the last physical byte is filler, still hashed (check C) */
	flip(f, 0, f->e.len[0] - 1);
	expect(f, KIOSK_ERR_CHAIN_MYNUMBER_HASH, MNC_CHAIN_MY_NUMBER_HASH);
}

static void tampered_basic4(void **state)
{
	struct fx *f = *state;

	flip(f, 1, f->e.len[1] - 3);
	expect(f, KIOSK_ERR_CHAIN_BASIC4_HASH, MNC_CHAIN_BASIC4_HASH);
}

static void tampered_record(void **state)
{
	struct fx *f = *state;

	flip(f, 2, 10);
	expect(f, KIOSK_ERR_CHAIN_RECORD, MNC_CHAIN_RECORD);
}

static void tampered_cert(void **state)
{
	struct fx *f = *state;

	flip(f, 3, f->e.len[3] - 20);
	expect(f, KIOSK_ERR_CHAIN_CERT, MNC_CHAIN_CERT);
}

static void truncated_cert(void **state)
{
	struct fx *f = *state;

	f->ev.ef0004_len = 40; /* a cache-style head is not enough here */
	expect(f, KIOSK_ERR_CHAIN_CERT, MNC_CHAIN_CERT);
}

static void unknown_ca(void **state)
{
	struct fx *f = *state;

	/* the card's issuer id (first byte of the 5F4E body) names no anchor */
	for (size_t i = 0; i + 1 < f->e.len[3]; i++) {
		if (f->e.ef[3][i] == 0x5F && f->e.ef[3][i + 1] == 0x4E) {
			size_t hdr = (f->e.ef[3][i + 2] == 0x82) ? 5 : 4;

			f->e.ef[3][i + hdr] ^= 0xFF;
			break;
		}
	}
	expect(f, KIOSK_ERR_CHAIN_UNKNOWN_CA, MNC_CHAIN_UNKNOWN_CA);
}

static void tampered_card_key(void **state)
{
	struct fx *f = *state;

	flip(f, 4, f->e.len[4] / 2);
	expect(f, KIOSK_ERR_PRESENCE, MNC_CHAIN_OK);
}

static void wrong_signature(void **state)
{
	struct fx *f = *state;

	f->e.sig[100] ^= 0x80;
	expect(f, KIOSK_ERR_PRESENCE, MNC_CHAIN_OK);
}

static void other_challenge(void **state)
{
	struct fx *f = *state;

	f->chal[0] ^= 1; /* the card signed something else */
	expect(f, KIOSK_ERR_PRESENCE, MNC_CHAIN_OK);
}

static void short_signature(void **state)
{
	struct fx *f = *state;

	f->ev.challenge_sig_len = 255;
	expect(f, KIOSK_ERR_PRESENCE, MNC_CHAIN_OK);
}

static void other_persons_signature(void **state)
{
	struct fx *f = *state;
	struct refc_evidence other;

	/* a real signature by another real card over the same challenge */
	assert_int_equal(refc_card_evidence("one_try", f->chal, sizeof(f->chal), &other), 0);
	memcpy(f->e.sig, other.sig, sizeof(other.sig));
	expect(f, KIOSK_ERR_PRESENCE, MNC_CHAIN_OK);
}

static void bad_args(void **state)
{
	struct fx *f = *state;

	assert_int_equal(mnc_verify_evidence(NULL, &f->ev, NULL, &f->p), KIOSK_ERR_INVALID_ARG);
	assert_int_equal(mnc_verify_evidence(f->anchors, NULL, NULL, &f->p),
			 KIOSK_ERR_INVALID_ARG);
	assert_int_equal(mnc_verify_evidence(f->anchors, &f->ev, NULL, NULL),
			 KIOSK_ERR_INVALID_ARG);
	f->ev.ef0002 = NULL;
	assert_int_equal(mnc_verify_evidence(f->anchors, &f->ev, NULL, &f->p),
			 KIOSK_ERR_INVALID_ARG);
}

static void every_persona(void **state)
{
	static const char *const personas[] = {"standard", "foreign",    "long",   "no_ext",
					       "no_sfi",   "rare_kanji", "one_try"};
	struct fx *f = *state;

	for (size_t i = 0; i < sizeof(personas) / sizeof(personas[0]); i++) {
		assert_int_equal(refc_card_evidence(personas[i], f->chal, sizeof(f->chal), &f->e),
				 0);
		refc_evidence_view(&f->e, f->chal, sizeof(f->chal), &f->ev);
		assert_int_equal(mnc_verify_evidence(f->anchors, &f->ev, NULL, &f->p), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(happy_path, setup, teardown),
		cmocka_unit_test_setup_teardown(tampered_my_number, setup, teardown),
		cmocka_unit_test_setup_teardown(tampered_filler, setup, teardown),
		cmocka_unit_test_setup_teardown(tampered_basic4, setup, teardown),
		cmocka_unit_test_setup_teardown(tampered_record, setup, teardown),
		cmocka_unit_test_setup_teardown(tampered_cert, setup, teardown),
		cmocka_unit_test_setup_teardown(truncated_cert, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_ca, setup, teardown),
		cmocka_unit_test_setup_teardown(tampered_card_key, setup, teardown),
		cmocka_unit_test_setup_teardown(wrong_signature, setup, teardown),
		cmocka_unit_test_setup_teardown(other_challenge, setup, teardown),
		cmocka_unit_test_setup_teardown(short_signature, setup, teardown),
		cmocka_unit_test_setup_teardown(other_persons_signature, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_args, setup, teardown),
		cmocka_unit_test_setup_teardown(every_persona, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
