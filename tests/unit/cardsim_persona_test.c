/* SPDX-License-Identifier: MIT */
/* Persona JSON: check digits, strict validation, and the shipped persona files. */
#include <dirent.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "persona.h"

#define GOOD                                                                 \
	"{\"id\":\"t1\",\"my_number\":\"123456789018\",\"name\":\"見本　花子\","   \
	"\"address\":\"東京都千代田区見本町１\",\"birth_date\":\"19850412\","     \
	"\"sex\":\"2\",\"pin\":\"1234\",\"tries_left\":3,"                      \
	"\"municipality\":\"131016\"%s}"

static int parse_with(const char *extra, char *err, size_t cap)
{
	char json[1024];
	struct cardsim_persona p;

	snprintf(json, sizeof(json), GOOD, extra);
	return cardsim_persona_parse(&p, json, strlen(json), err, cap);
}

/* Replace the first occurrence of @from in the good persona with @to. */
static int parse_replaced(const char *from, const char *to, char *err, size_t cap)
{
	char base[1024], json[1200];
	char *at;
	struct cardsim_persona p;

	snprintf(base, sizeof(base), GOOD, "");
	at = strstr(base, from);
	assert_non_null(at);
	snprintf(json, sizeof(json), "%.*s%s%s", (int)(at - base), base, to, at + strlen(from));
	return cardsim_persona_parse(&p, json, strlen(json), err, cap);
}

static void test_check_digit(void **state)
{
	(void)state;
	/* myna-card's synthetic test-card number, and numbers worked by hand. */
	assert_true(cardsim_my_number_valid("537686677188"));
	assert_true(cardsim_my_number_valid("123456789018"));
	assert_true(cardsim_my_number_valid("012345678903"));
	assert_int_equal(cardsim_my_number_check_digit("12345678901"), 8);
	assert_false(cardsim_my_number_valid("537686677187"));
	assert_false(cardsim_my_number_valid("12345678901"));
	assert_false(cardsim_my_number_valid("1234567890181"));
	assert_false(cardsim_my_number_valid("12345678901a"));
	assert_false(cardsim_my_number_valid(NULL));
	/* Remainder <= 1 gives 0: 00000000001 -> sum 2 -> r 2 -> 9; 00000010000 -> 6*1 ... */
	for (int i = 0; i < 1000; i++) {
		char d[13];
		int cd;

		snprintf(d, sizeof(d), "%011d", i * 7919);
		cd = cardsim_my_number_check_digit(d);
		assert_in_range(cd, 0, 9);
		d[11] = (char)('0' + cd);
		d[12] = '\0';
		assert_true(cardsim_my_number_valid(d));
		d[11] = (char)('0' + (cd + 1) % 10);
		assert_false(cardsim_my_number_valid(d));
	}
}

static void test_good_parses(void **state)
{
	char json[1024];
	char err[256] = "";
	struct cardsim_persona p;

	(void)state;
	snprintf(json, sizeof(json), GOOD, "");
	assert_int_equal(cardsim_persona_parse(&p, json, strlen(json), err, sizeof(err)), 0);
	assert_string_equal(p.id, "t1");
	assert_string_equal(p.my_number, "123456789018");
	assert_string_equal(p.pin, "1234");
	assert_int_equal(p.tries_left, 3);
	assert_int_equal(p.sex, '2');
	assert_true(p.opt_sfi);
	assert_true(p.opt_extended);
	assert_true(p.opt_presence);

	snprintf(json, sizeof(json), GOOD,
		 ",\"options\":{\"sfi\":false,\"extended_length\":false,\"presence\":false}"
		 ",\"_note\":\"comment\"");
	assert_int_equal(cardsim_persona_parse(&p, json, strlen(json), err, sizeof(err)), 0);
	assert_false(p.opt_sfi);
	assert_false(p.opt_extended);
	assert_false(p.opt_presence);
}

static void expect_error(int rc, const char *err, const char *field)
{
	assert_int_not_equal(rc, 0);
	if (strstr(err, field) == NULL) {
		fail_msg("error \"%s\" does not name \"%s\"", err, field);
	}
}

static void test_rejects(void **state)
{
	char err[256];

	(void)state;
	expect_error(parse_replaced("123456789018", "123456789017", err, sizeof(err)), err,
		     "my_number");
	/* The message never carries the value. */
	assert_null(strstr(err, "12345678901"));
	expect_error(parse_replaced("123456789018", "12345678901", err, sizeof(err)), err,
		     "my_number");
	expect_error(parse_replaced("\"pin\":\"1234\"", "\"pin\":\"12a4\"", err, sizeof(err)), err,
		     "pin");
	assert_null(strstr(err, "12a4"));
	expect_error(parse_replaced("\"pin\":\"1234\"", "\"pin\":\"12345\"", err, sizeof(err)),
		     err, "pin");
	expect_error(parse_replaced("\"pin\":\"1234\"", "\"pin\":1234", err, sizeof(err)), err,
		     "pin");
	expect_error(parse_replaced("19850412", "19850230", err, sizeof(err)), err, "birth_date");
	expect_error(parse_replaced("19850412", "19000229", err, sizeof(err)), err, "birth_date");
	expect_error(parse_replaced("19850412", "1985041", err, sizeof(err)), err, "birth_date");
	expect_error(parse_replaced("\"sex\":\"2\"", "\"sex\":\"3\"", err, sizeof(err)), err,
		     "sex");
	expect_error(parse_replaced("\"tries_left\":3", "\"tries_left\":4", err, sizeof(err)),
		     err, "tries_left");
	expect_error(parse_replaced("\"tries_left\":3", "\"tries_left\":-1", err, sizeof(err)),
		     err, "tries_left");
	expect_error(parse_replaced("\"tries_left\":3", "\"tries_left\":2.5", err, sizeof(err)),
		     err, "tries_left");
	expect_error(parse_replaced("131016", "13101", err, sizeof(err)), err, "municipality");
	expect_error(parse_replaced("\"id\":\"t1\"", "\"id\":\"../x\"", err, sizeof(err)), err,
		     "id");
	expect_error(parse_replaced("\"id\":\"t1\",", "", err, sizeof(err)), err, "id");
	expect_error(parse_replaced("見本　花子", "", err, sizeof(err)), err, "name");
	expect_error(parse_replaced("見本　花子", "a\\u0001b", err, sizeof(err)), err, "name");
	expect_error(parse_replaced("見本　花子", "\\ud800x", err, sizeof(err)), err, "JSON");
	expect_error(parse_with(",\"colour\":\"red\"", err, sizeof(err)), err, "colour");
	expect_error(parse_with(",\"options\":{\"sfi\":1}", err, sizeof(err)), err, "sfi");
	expect_error(parse_with(",\"options\":{\"nfc\":true}", err, sizeof(err)), err, "nfc");
	expect_error(parse_with(",\"options\":[]", err, sizeof(err)), err, "options");
	expect_error(parse_replaced("{", "[", err, sizeof(err)), err, "JSON");
}

static void test_shipped_personas(void **state)
{
	const char *dir = getenv("KIOSK_PERSONAS");
	struct dirent *de;
	DIR *d;
	int count = 0;
	bool seen_long = false;

	(void)state;
	assert_non_null(dir);
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		char path[4096], err[256] = "", id[64];
		struct cardsim_persona p;
		size_t n = strlen(de->d_name);

		if (n < 6 || strcmp(de->d_name + n - 5, ".json") != 0) {
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (cardsim_persona_load(&p, path, err, sizeof(err)) != 0) {
			fail_msg("%s: %s", de->d_name, err);
		}
		/* The file is named after the persona id (the PKI keys are too). */
		snprintf(id, sizeof(id), "%.*s", (int)(n - 5), de->d_name);
		assert_string_equal(p.id, id);
		if (strcmp(p.id, "long") == 0) {
			seen_long = true;
			assert_true(strlen(p.address) > 200);
		}
		count++;
	}
	closedir(d);
	assert_true(count >= 8);
	assert_true(seen_long);
}

static void test_load_missing_file(void **state)
{
	struct cardsim_persona p;
	char err[256] = "";

	(void)state;
	assert_int_not_equal(cardsim_persona_load(&p, "/nonexistent/x.json", err, sizeof(err)),
			     0);
	assert_non_null(strstr(err, "persona"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_digit),
		cmocka_unit_test(test_good_parses),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_shipped_personas),
		cmocka_unit_test(test_load_missing_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
