/* SPDX-License-Identifier: MIT */
/*
 * The scripted resident (hal/input/script.c): the up-front check with line
 * numbers, expect/tap/pin sequencing against a changing screen, the expect
 * timeout, wait timing, quit, and a card action with no simulator.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "hal/script.h"
#include "kiosk/err.h"

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int parse(struct hal_script **s, const char *text, char *why, size_t cap)
{
	return hal_script_parse(s, text, strlen(text), NULL, why, cap);
}

static void expect_parse_error(const char *text, const char *why_expected)
{
	struct hal_script *s = (struct hal_script *)(uintptr_t)1;
	char why[128] = "";

	assert_int_equal(parse(&s, text, why, sizeof(why)), KIOSK_ERR_CONFIG);
	assert_null(s);
	assert_string_equal(why, why_expected);
}

static void test_parse_errors(void **state)
{
	(void)state;
	expect_parse_error("# c\n\ndance\n", "line 3: unknown action");
	expect_parse_error("tap start\nexpect\n", "line 2: expect needs a screen");
	expect_parse_error("expect pin 12x\n", "line 1: bad timeout (1..3600000 ms)");
	expect_parse_error("expect pin 0\n", "line 1: bad timeout (1..3600000 ms)");
	expect_parse_error("expect pin 3600001\n", "line 1: bad timeout (1..3600000 ms)");
	expect_parse_error("expect Pin\n", "line 1: bad screen name");
	expect_parse_error("expect pin 10 20\n", "line 1: too many arguments");
	expect_parse_error("tap\n", "line 1: tap needs a button id");
	expect_parse_error("tap a b\n", "line 1: too many arguments");
	expect_parse_error("tap abcdefghijklmnopqrstuvwx\n", "line 1: bad button id");
	expect_parse_error("pin 12a4\n", "line 1: pin takes 1 to 8 digits");
	expect_parse_error("pin 123456789\n", "line 1: pin takes 1 to 8 digits");
	expect_parse_error("pin\n", "line 1: pin needs digits");
	expect_parse_error("card\n", "line 1: card needs insert or remove");
	expect_parse_error("card flip\n", "line 1: card needs insert or remove");
	expect_parse_error("card remove now\n", "line 1: too many arguments");
	expect_parse_error("card insert a b\n", "line 1: too many arguments");
	expect_parse_error("card insert st*ndard\n", "line 1: bad persona");
	expect_parse_error("wait\n", "line 1: wait needs milliseconds");
	expect_parse_error("wait -5\n", "line 1: bad duration (0..3600000 ms)");
	expect_parse_error("wait 99999999\n", "line 1: bad duration (0..3600000 ms)");
	expect_parse_error("quit now\n", "line 1: too many arguments");
	expect_parse_error("tap a b c d e\n", "line 1: too many arguments");
}

static void test_parse_limits(void **state)
{
	char line[HAL_SCRIPT_LINE_MAX + 8];
	char *text;
	size_t len;

	(void)state;
	/* 127 characters fit, 128 do not. */
	memset(line, ' ', sizeof(line));
	memcpy(line, "tap ok", 6);
	line[HAL_SCRIPT_LINE_MAX - 1] = '\n';
	line[HAL_SCRIPT_LINE_MAX] = '\0';
	{
		struct hal_script *s = NULL;
		char why[128] = "";

		assert_int_equal(parse(&s, line, why, sizeof(why)), 0);
		hal_script_free(s);
	}
	line[HAL_SCRIPT_LINE_MAX - 1] = ' ';
	line[HAL_SCRIPT_LINE_MAX] = '\n';
	line[HAL_SCRIPT_LINE_MAX + 1] = '\0';
	expect_parse_error(line, "line 1: line too long (max 127)");

	/* 512 lines are fine, the 513th is one too many (comments count: they are lines). */
	text = malloc((HAL_SCRIPT_LINES_MAX + 1) * 4 + 1);
	assert_non_null(text);
	len = 0;
	for (int i = 0; i < HAL_SCRIPT_LINES_MAX; i++) {
		memcpy(text + len, "# c\n", 4);
		len += 4;
	}
	text[len] = '\0';
	{
		struct hal_script *s = NULL;
		char why[128] = "";

		assert_int_equal(parse(&s, text, why, sizeof(why)), 0);
		hal_script_free(s);
	}
	memcpy(text + len, "# c\n", 5);
	expect_parse_error(text, "line 513: too many lines (max 512)");
	free(text);

	{
		struct hal_script *s = NULL;
		char why[128] = "";
		const char nul[] = "tap a\nta\0p b\n";

		assert_int_equal(hal_script_parse(&s, nul, sizeof(nul) - 1, NULL, why, sizeof(why)),
				 KIOSK_ERR_CONFIG);
		assert_string_equal(why, "line 2: NUL byte");
	}
}

/* Drive the script against a fixed screen; return what next() did. */
static int step(struct hal_script *s, const char *screen, struct hal_input_event *ev)
{
	char why[128] = "";

	return hal_script_next(s, screen, ev, 0, why, sizeof(why));
}

static void assert_tap(struct hal_script *s, const char *screen, const char *id)
{
	struct hal_input_event ev;

	assert_int_equal(step(s, screen, &ev), 1);
	assert_int_equal(ev.kind, HAL_INPUT_TAP);
	assert_string_equal(ev.id, id);
}

static void assert_nothing(struct hal_script *s, const char *screen)
{
	struct hal_input_event ev;

	assert_int_equal(step(s, screen, &ev), 0);
	assert_int_equal(ev.kind, HAL_INPUT_NONE);
}

static void assert_quit(struct hal_script *s, const char *screen)
{
	struct hal_input_event ev;

	assert_int_equal(step(s, screen, &ev), 1);
	assert_int_equal(ev.kind, HAL_INPUT_QUIT);
}

static void test_expect_tap_pin_sequence(void **state)
{
	struct hal_script *s = NULL;
	char why[128] = "";
	const char *text = "# a resident\r\n"
			   "  expect idle 5000\r\n"
			   "tap start\n"
			   "\t\n"
			   "expect language\n"
			   "tap ja\n"
			   "tap m:131016\n"
			   "expect pin 5000\n"
			   "pin 1234\n"
			   "expect take_card\n"
			   "quit\n"
			   "tap never\n";

	(void)state;
	assert_int_equal(parse(&s, text, why, sizeof(why)), 0);
	/* The kiosk boots: nothing until the idle screen shows. */
	assert_nothing(s, "");
	assert_nothing(s, NULL);
	assert_tap(s, "idle", "start");
	/* Still idle: the script waits for the language screen. */
	assert_nothing(s, "idle");
	assert_tap(s, "language", "ja");
	/* Taps follow each other without an expect in between. */
	assert_tap(s, "language", "m:131016");
	assert_nothing(s, "place_card");
	assert_tap(s, "pin", "1");
	assert_tap(s, "pin", "2");
	assert_tap(s, "pin", "3");
	assert_tap(s, "pin", "4");
	assert_tap(s, "pin", "ok");
	assert_nothing(s, "reading");
	assert_quit(s, "take_card");
	/* quit stays quit: the line after it never runs. */
	assert_quit(s, "idle");
	hal_script_free(s);
}

static void test_expect_timeout(void **state)
{
	struct hal_script *s = NULL;
	struct hal_input_event ev;
	char why[128] = "";
	long t0;
	long t1;
	int rc;

	(void)state;
	assert_int_equal(parse(&s, "tap start\nexpect pin 300\n", why, sizeof(why)), 0);
	assert_tap(s, "idle", "start");
	/* One call never blocks longer than its timeout. */
	t0 = now_ms();
	assert_int_equal(hal_script_next(s, "language", &ev, 40, why, sizeof(why)), 0);
	t1 = now_ms();
	assert_true(t1 - t0 >= 35);
	assert_true(t1 - t0 < 1000);
	/* A long poll ends at the expect's deadline with the reason. */
	rc = hal_script_next(s, "language", &ev, 5000, why, sizeof(why));
	assert_int_equal(rc, KIOSK_ERR_TIMEOUT);
	assert_true(now_ms() - t0 >= 300);
	assert_true(now_ms() - t0 < 1500);
	assert_string_equal(why, "line 2: expected pin, showing language");
	hal_script_free(s);
}

static void test_wait_timing(void **state)
{
	struct hal_script *s = NULL;
	struct hal_input_event ev;
	char why[128] = "";
	long t0;
	int zeros = 0;
	int rc;

	(void)state;
	assert_int_equal(parse(&s, "wait 250\ntap start\n", why, sizeof(why)), 0);
	t0 = now_ms();
	for (;;) {
		long before = now_ms();

		rc = hal_script_next(s, "idle", &ev, 50, why, sizeof(why));
		assert_true(now_ms() - before < 1000);
		if (rc != 0) {
			break;
		}
		zeros++;
		assert_true(zeros < 100);
	}
	assert_int_equal(rc, 1);
	assert_int_equal(ev.kind, HAL_INPUT_TAP);
	assert_string_equal(ev.id, "start");
	assert_true(now_ms() - t0 >= 250);
	assert_true(zeros >= 3);

	/* With no time to wait in, a wait only counts down. */
	hal_script_free(s);
	assert_int_equal(parse(&s, "wait 100\nquit\n", why, sizeof(why)), 0);
	t0 = now_ms();
	assert_nothing(s, "idle");
	assert_true(now_ms() - t0 < 90);
	while (now_ms() - t0 < 120) {
		usleep(10000);
	}
	assert_quit(s, "idle");
	hal_script_free(s);
}

static void test_quit_at_end(void **state)
{
	struct hal_script *s = NULL;
	char why[128] = "";

	(void)state;
	assert_int_equal(parse(&s, "", why, sizeof(why)), 0);
	assert_quit(s, "idle");
	hal_script_free(s);
	assert_int_equal(parse(&s, "# only a comment\ntap x\n", why, sizeof(why)), 0);
	assert_tap(s, "idle", "x");
	assert_quit(s, "idle");
	assert_quit(s, "idle");
	hal_script_free(s);
}

static void test_repeat(void **state)
{
	struct hal_script *s = NULL;
	char why[128] = "";

	(void)state;
	assert_int_equal(parse(&s, "tap a\ntap b\nrepeat 2\ntap c\n", why, sizeof(why)), 0);
	for (int round = 0; round < 3; round++) {
		assert_tap(s, "idle", "a");
		assert_tap(s, "idle", "b");
	}
	assert_tap(s, "idle", "c");
	assert_quit(s, "idle");
	hal_script_free(s);
	assert_int_not_equal(parse(&s, "repeat\n", why, sizeof(why)), 0);
	assert_non_null(strstr(why, "line 1"));
	assert_int_not_equal(parse(&s, "repeat 0\n", why, sizeof(why)), 0);
}

static void test_card_without_simulator(void **state)
{
	struct hal_script *s = NULL;
	struct hal_input_event ev;
	char path[64];
	char why[128] = "";

	(void)state;
	snprintf(path, sizeof(path), "/tmp/kiosk-script-test-%ld.sock", (long)getpid());
	unlink(path);
	/* $KIOSK_CARDSIM_CTL when the script is given no socket. */
	assert_int_equal(setenv("KIOSK_CARDSIM_CTL", path, 1), 0);
	assert_int_equal(parse(&s, "expect idle\ncard insert standard\ntap start\n", why,
			       sizeof(why)),
			 0);
	assert_int_equal(hal_script_next(s, "idle", &ev, 0, why, sizeof(why)), KIOSK_ERR_IO);
	assert_string_equal(why, "line 2: card insert: card simulator unreachable");
	hal_script_free(s);

	/* An explicit socket wins over the environment. */
	assert_int_equal(setenv("KIOSK_CARDSIM_CTL", "/nonexistent/other.sock", 1), 0);
	assert_int_equal(hal_script_parse(&s, "card remove\n", 12, path, why, sizeof(why)), 0);
	assert_int_equal(hal_script_next(s, "idle", &ev, 0, why, sizeof(why)), KIOSK_ERR_IO);
	assert_string_equal(why, "line 1: card remove: card simulator unreachable");
	hal_script_free(s);
	unsetenv("KIOSK_CARDSIM_CTL");
}

static void test_open_file(void **state)
{
	struct hal_script *s = NULL;
	char path[] = "/tmp/kiosk-script-test-XXXXXX";
	char why[128] = "";
	const char *text = "expect idle\ntap start\nbogus\n";
	int fd;

	(void)state;
	assert_int_equal(hal_script_open(&s, "/nonexistent/script.txt", NULL, why, sizeof(why)),
			 KIOSK_ERR_IO);
	assert_null(s);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(hal_script_open(&s, path, NULL, why, sizeof(why)), KIOSK_ERR_CONFIG);
	assert_string_equal(why, "line 3: unknown action");
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "tap start\n", 10), 10);
	close(fd);
	assert_int_equal(hal_script_open(&s, path, NULL, why, sizeof(why)), 0);
	assert_tap(s, "idle", "start");
	assert_quit(s, "idle");
	hal_script_free(s);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_expect_tap_pin_sequence),
		cmocka_unit_test(test_expect_timeout),
		cmocka_unit_test(test_wait_timing),
		cmocka_unit_test(test_quit_at_end),
		cmocka_unit_test(test_repeat),
		cmocka_unit_test(test_card_without_simulator),
		cmocka_unit_test(test_open_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
