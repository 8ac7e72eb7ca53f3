/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "kiosk/err.h"
#include "kiosk/harden.h"
#include "kiosk/msg.h"

#include <sys/prctl.h>
#include <sys/resource.h>

/* Every error a resident can meet during the card phase. */
static const int resident_errors[] = {
	KIOSK_ERR_NO_CARD, KIOSK_ERR_CARD_REMOVED, KIOSK_ERR_CARD_TIMEOUT,
	KIOSK_ERR_CARD_PROTOCOL, KIOSK_ERR_NOT_MYNUMBER_CARD, KIOSK_ERR_CARD_DATA,
	KIOSK_ERR_MYNUMBER_CHECK_DIGIT, KIOSK_ERR_PIN_FORMAT, KIOSK_ERR_PIN_INCORRECT,
	KIOSK_ERR_PIN_BLOCKED, KIOSK_ERR_PIN_CANCELLED, KIOSK_ERR_PIN_TIMEOUT,
	KIOSK_ERR_PIN_NOT_VERIFIED, KIOSK_ERR_CHAIN_UNKNOWN_CA, KIOSK_ERR_CHAIN_CERT,
	KIOSK_ERR_CHAIN_RECORD, KIOSK_ERR_CHAIN_MYNUMBER_HASH, KIOSK_ERR_CHAIN_BASIC4_HASH,
	KIOSK_ERR_PRESENCE, KIOSK_ERR_NO_READER, KIOSK_ERR_READER_GONE, KIOSK_ERR_CARD_BUSY,
	KIOSK_ERR_VAULT, KIOSK_ERR_INTERNAL,
};

static void test_every_resident_error_has_ja_and_en(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(resident_errors) / sizeof(resident_errors[0]); i++) {
		enum kiosk_msg_id id = kiosk_err_msg(resident_errors[i]);
		const struct kiosk_msg *m = kiosk_msg_get(id);

		assert_int_not_equal(id, KIOSK_MSG_NONE);
		assert_non_null(m);
		assert_true(strlen(m->text[KIOSK_LANG_JA]) > 0);
		assert_true(strlen(m->text[KIOSK_LANG_EN]) > 0);
		/* Japanese text really is Japanese: it holds multi-byte UTF-8. */
		assert_true((unsigned char)m->text[KIOSK_LANG_JA][0] >= 0xE0);
		assert_string_not_equal(kiosk_err_name(resident_errors[i]), "UNKNOWN");
		assert_string_not_equal(kiosk_strerror(resident_errors[i]), "unknown error");
	}
	assert_int_equal(kiosk_err_msg(KIOSK_OK), KIOSK_MSG_NONE);
}

static void test_catalogue_complete(void **state)
{
	(void)state;
	for (int id = 1; id < KIOSK_MSG_COUNT; id++) {
		const struct kiosk_msg *m = kiosk_msg_get((enum kiosk_msg_id)id);

		assert_non_null(m->key);
		assert_non_null(m->text[0]);
		assert_non_null(m->text[1]);
		assert_true(strlen(m->text[0]) > 0 && strlen(m->text[1]) > 0);
	}
	assert_null(kiosk_msg_get(KIOSK_MSG_COUNT));
	assert_string_equal(kiosk_strerror(12345), "unknown error");
}

static void test_format_tries(void **state)
{
	char buf[256];

	(void)state;
	assert_int_equal(kiosk_msg_format(KIOSK_MSG_PIN_INCORRECT, KIOSK_LANG_EN, 2, buf,
					  sizeof(buf)), KIOSK_OK);
	assert_non_null(strstr(buf, "after 2 more"));
	assert_null(strstr(buf, "{tries}"));
	assert_int_equal(kiosk_msg_format(KIOSK_MSG_PIN_INCORRECT, KIOSK_LANG_JA, 1, buf,
					  sizeof(buf)), KIOSK_OK);
	assert_non_null(strstr(buf, "あと1回"));
	assert_int_equal(kiosk_msg_format(KIOSK_MSG_PIN_BLOCKED, KIOSK_LANG_EN, 0, buf, 8),
			 KIOSK_ERR_BUFFER_TOO_SMALL);
	assert_string_equal(buf, "");
	assert_int_equal(kiosk_msg_format(KIOSK_MSG_COUNT, KIOSK_LANG_EN, 0, buf, sizeof(buf)),
			 KIOSK_ERR_INVALID_ARG);
}

static void test_harden_disables_core_dumps(void **state)
{
	struct rlimit rl;

	(void)state;
	assert_int_equal(kiosk_harden_process(), KIOSK_OK);
	assert_int_equal(getrlimit(RLIMIT_CORE, &rl), 0);
	assert_int_equal(rl.rlim_cur, 0);
	assert_int_equal(rl.rlim_max, 0);
	assert_int_equal(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_resident_error_has_ja_and_en),
		cmocka_unit_test(test_catalogue_complete),
		cmocka_unit_test(test_format_tries),
		cmocka_unit_test(test_harden_disables_core_dumps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
