/* SPDX-License-Identifier: MIT */
/*
 * The operation log (firmware/core/oplog.c): the exact line format on stderr,
 * details that could carry personal data replaced by "invalid", kiosk ids
 * checked, sinks, whole lines from concurrent threads, and step names.
 */
#define _GNU_SOURCE /* strptime, timegm */
#include <pthread.h>
#include <regex.h>
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

#include "kiosk/err.h"
#include "kiosk/oplog.h"

#define CAPTURE_MAX 65536

struct capture {
	int saved;
	int rd;
};

/* Route fd 2 into a pipe until capture_end(). */
static void capture_begin(struct capture *c)
{
	int p[2];

	assert_int_equal(pipe(p), 0);
	c->saved = dup(STDERR_FILENO);
	assert_true(c->saved >= 0);
	assert_true(dup2(p[1], STDERR_FILENO) >= 0);
	close(p[1]);
	c->rd = p[0];
}

/* Restore stderr and return everything written meanwhile (malloc'ed). */
static char *capture_end(struct capture *c)
{
	char *buf = malloc(CAPTURE_MAX + 1);
	size_t len = 0;
	ssize_t r;

	assert_non_null(buf);
	assert_true(dup2(c->saved, STDERR_FILENO) >= 0);
	close(c->saved);
	while ((r = read(c->rd, buf + len, CAPTURE_MAX - len)) > 0) {
		len += (size_t)r;
	}
	close(c->rd);
	buf[len] = '\0';
	return buf;
}

static const char *const LINE_RE =
	"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z "
	"kiosk=[A-Za-z0-9_.-]+ step=[a-z_]+ detail=[-a-z0-9_:]+ result=[a-z_]+ ms=[0-9]+$";

static void assert_line_shape(const char *line)
{
	regex_t re;

	assert_int_equal(regcomp(&re, LINE_RE, REG_EXTENDED | REG_NOSUB), 0);
	if (regexec(&re, line, 0, NULL, 0) != 0) {
		fail_msg("bad oplog line: \"%s\"", line);
	}
	regfree(&re);
}

/* Log one event to stderr and return its line without the time stamp and
 * without the newline, after checking the line's exact shape. */
static void one_line(enum oplog_step step, const char *detail, int result, long ms, char *out,
		     size_t cap)
{
	struct capture c;
	char *got;
	size_t n;

	capture_begin(&c);
	oplog_event(step, detail, result, ms);
	got = capture_end(&c);
	n = strlen(got);
	assert_true(n > 25);
	assert_int_equal(got[n - 1], '\n');
	assert_null(memchr(got, '\n', n - 1)); /* exactly one line */
	got[n - 1] = '\0';
	assert_line_shape(got);
	snprintf(out, cap, "%s", got + 25); /* "YYYY-MM-DDTHH:MM:SS.mmmZ " */
	free(got);
}

static void test_format(void **state)
{
	struct capture c;
	struct tm tm;
	char rest[256];
	char *got;
	time_t before = time(NULL);
	time_t stamp;

	(void)state;
	assert_int_equal(oplog_open(OPLOG_SINK_STDERR, "KIOSK-SIM-0001"), 0);
	capture_begin(&c);
	oplog_event(OPLOG_SCREEN, "pin", 0, 0);
	got = capture_end(&c);
	assert_int_equal(strlen(got), 24 + strlen(" kiosk=KIOSK-SIM-0001 step=screen detail=pin "
						  "result=ok ms=0\n"));
	assert_string_equal(got + 23,
			    "Z kiosk=KIOSK-SIM-0001 step=screen detail=pin result=ok ms=0\n");
	assert_int_equal(got[4], '-');
	assert_int_equal(got[10], 'T');
	assert_int_equal(got[19], '.');
	/* The stamp is now, in UTC. */
	memset(&tm, 0, sizeof(tm));
	assert_non_null(strptime(got, "%Y-%m-%dT%H:%M:%S", &tm));
	stamp = timegm(&tm);
	assert_true(stamp >= before && stamp <= time(NULL));
	free(got);

	one_line(OPLOG_CARD_READ, NULL, KIOSK_ERR_CARD_REMOVED, 1234, rest, sizeof(rest));
	assert_string_equal(rest,
			    "kiosk=KIOSK-SIM-0001 step=card_read detail=- result=card_removed ms=1234");
	one_line(OPLOG_REQUEST, "requesting", KIOSK_ERR_CENTER_OVERSEAS_NOT_REGISTERED, 9, rest,
		 sizeof(rest));
	assert_string_equal(rest, "kiosk=KIOSK-SIM-0001 step=request detail=requesting "
				  "result=center_overseas_not_registered ms=9");
	one_line(OPLOG_ISSUANCE, "m:131", 12345, -7, rest, sizeof(rest));
	assert_string_equal(rest,
			    "kiosk=KIOSK-SIM-0001 step=issuance detail=m:131 result=unknown ms=0");
	one_line(OPLOG_STEP_COUNT, "idle", 0, 1, rest, sizeof(rest));
	assert_string_equal(rest, "kiosk=KIOSK-SIM-0001 step=unknown detail=idle result=ok ms=1");
	oplog_close();
}

static void test_invalid_details(void **state)
{
	static const char *const bad[] = {
		"山田",         /* a name */
		"山田太郎",
		"123456789012", /* a My Number */
		"1234",         /* a PIN */
		"pin:1234",
		"pin_1234",
		"1980-01-01",   /* a birth date */
		"19800101",
		"Pin",
		"take card",
		"",
		"pin\n",
		"detail=x",
		"abc12345",
	};
	static const char *const good[] = { "idle", "take_card", "m:131", "prompt_pin2",
					    "abcdefghijklmnopqrstuvwxyz_abcd" };
	char rest[256];
	char want[256];

	(void)state;
	assert_int_equal(oplog_open(OPLOG_SINK_STDERR, "K1"), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		one_line(OPLOG_PROMPT, bad[i], 0, 0, rest, sizeof(rest));
		assert_string_equal(rest, "kiosk=K1 step=prompt detail=invalid result=ok ms=0");
	}
	/* 32 characters is one too many; 31 of them are fine. */
	one_line(OPLOG_PROMPT, "abcdefghijklmnopqrstuvwxyz_abcde", 0, 0, rest, sizeof(rest));
	assert_string_equal(rest, "kiosk=K1 step=prompt detail=invalid result=ok ms=0");
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		one_line(OPLOG_PROMPT, good[i], 0, 0, rest, sizeof(rest));
		snprintf(want, sizeof(want), "kiosk=K1 step=prompt detail=%s result=ok ms=0", good[i]);
		assert_string_equal(rest, want);
	}
	oplog_close();
}

static void test_kiosk_id(void **state)
{
	char id63[64];
	char id64[65];
	char rest[256];
	char want[256];

	(void)state;
	memset(id63, 'a', 63);
	id63[63] = '\0';
	memset(id64, 'a', 64);
	id64[64] = '\0';
	assert_int_equal(oplog_open(OPLOG_SINK_STDERR, NULL), KIOSK_ERR_INVALID_ARG);
	assert_int_equal(oplog_open(OPLOG_SINK_STDERR, ""), KIOSK_ERR_INVALID_ARG);
	assert_int_equal(oplog_open(OPLOG_SINK_STDERR, "KIOSK 1"), KIOSK_ERR_INVALID_ARG);
	assert_int_equal(oplog_open(OPLOG_SINK_STDERR, "山田"), KIOSK_ERR_INVALID_ARG);
	assert_int_equal(oplog_open(OPLOG_SINK_STDERR, "a/b"), KIOSK_ERR_INVALID_ARG);
	assert_int_equal(oplog_open(OPLOG_SINK_STDERR, "a=b"), KIOSK_ERR_INVALID_ARG);
	assert_int_equal(oplog_open(OPLOG_SINK_STDERR, "a\nb"), KIOSK_ERR_INVALID_ARG);
	assert_int_equal(oplog_open(OPLOG_SINK_STDERR, id64), KIOSK_ERR_INVALID_ARG);
	assert_int_equal(oplog_open((enum oplog_sink)7, "K1"), KIOSK_ERR_INVALID_ARG);
	assert_int_equal(oplog_open(OPLOG_SINK_STDERR, id63), 0);
	one_line(OPLOG_START, NULL, 0, 0, rest, sizeof(rest));
	snprintf(want, sizeof(want), "kiosk=%s step=start detail=- result=ok ms=0", id63);
	assert_string_equal(rest, want);
	assert_int_equal(oplog_open(OPLOG_SINK_STDERR, "kiosk_x86.unit-7"), 0);
	one_line(OPLOG_STOP, NULL, 0, 0, rest, sizeof(rest));
	assert_string_equal(rest, "kiosk=kiosk_x86.unit-7 step=stop detail=- result=ok ms=0");
	oplog_close();
}

static void test_sinks_without_output(void **state)
{
	struct capture c;
	char *got;

	(void)state;
	/* Not open, sink none, syslog: nothing reaches stderr. */
	capture_begin(&c);
	oplog_event(OPLOG_START, NULL, 0, 0);
	assert_int_equal(oplog_open(OPLOG_SINK_NONE, "K1"), 0);
	oplog_event(OPLOG_START, NULL, 0, 0);
	assert_int_equal(oplog_open(OPLOG_SINK_SYSLOG, "K1"), 0);
	oplog_event(OPLOG_START, "unit_test", 0, 0);
	oplog_close();
	oplog_event(OPLOG_STOP, NULL, 0, 0);
	got = capture_end(&c);
	assert_string_equal(got, "");
	free(got);
}

static void test_step_names(void **state)
{
	(void)state;
	for (int i = 0; i < OPLOG_STEP_COUNT; i++) {
		const char *n = oplog_step_name((enum oplog_step)i);

		assert_non_null(n);
		assert_true(strlen(n) >= 3);
		assert_int_equal(strspn(n, "abcdefghijklmnopqrstuvwxyz_"), strlen(n));
		assert_string_not_equal(n, "unknown");
		for (int j = 0; j < i; j++) {
			assert_string_not_equal(n, oplog_step_name((enum oplog_step)j));
		}
	}
	assert_string_equal(oplog_step_name(OPLOG_START), "start");
	assert_string_equal(oplog_step_name(OPLOG_PIN_VERIFY), "pin_verify");
	assert_string_equal(oplog_step_name(OPLOG_STOP), "stop");
	assert_string_equal(oplog_step_name(OPLOG_STEP_COUNT), "unknown");
	assert_string_equal(oplog_step_name((enum oplog_step)-1), "unknown");
}

#define THREADS 4
/* 400 lines stay below the pipe's 64 KiB, read only after the join. */
#define EVENTS 100

static void *logger(void *arg)
{
	(void)arg;
	for (int i = 0; i < EVENTS; i++) {
		oplog_event(OPLOG_SCREEN, "take_certificate", KIOSK_ERR_MEDIA_JAM, i);
	}
	return NULL;
}

static void test_threads_whole_lines(void **state)
{
	pthread_t t[THREADS];
	struct capture c;
	char *got;
	char *save = NULL;
	int lines = 0;

	(void)state;
	assert_int_equal(oplog_open(OPLOG_SINK_STDERR, "K1"), 0);
	capture_begin(&c);
	for (int i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_create(&t[i], NULL, logger, NULL), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
	}
	got = capture_end(&c);
	oplog_close();
	for (char *l = strtok_r(got, "\n", &save); l != NULL; l = strtok_r(NULL, "\n", &save)) {
		assert_line_shape(l);
		assert_non_null(strstr(l, " step=screen detail=take_certificate result=media_jam ms="));
		lines++;
	}
	assert_int_equal(lines, THREADS * EVENTS);
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_invalid_details),
		cmocka_unit_test(test_kiosk_id),
		cmocka_unit_test(test_sinks_without_output),
		cmocka_unit_test(test_step_names),
		cmocka_unit_test(test_threads_whole_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
