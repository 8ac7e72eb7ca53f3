/* SPDX-License-Identifier: MIT */
/*
 * The operation log (kiosk/oplog.h). Each line is built in a local buffer and
 * leaves in one write(2) (or one syslog call): no stdio buffer, so an abort
 * right after an event neither loses the line nor writes it twice, and lines
 * from two threads never interleave.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "kiosk/err.h"
#include "kiosk/oplog.h"

#define OPLOG_ID_MAX 63
#define OPLOG_DETAIL_MAX 31
/* Longer digit runs could be a PIN, a year or part of a My Number. */
#define OPLOG_DETAIL_DIGIT_RUN_MAX 3
#define OPLOG_LINE_MAX 256

static const char *const step_names[OPLOG_STEP_COUNT] = {
	[OPLOG_START] = "start",
	[OPLOG_READY] = "ready",
	[OPLOG_SCREEN] = "screen",
	[OPLOG_PROMPT] = "prompt",
	[OPLOG_MUNICIPALITIES] = "municipalities",
	[OPLOG_CARD_OPEN] = "card_open",
	[OPLOG_PIN_VERIFY] = "pin_verify",
	[OPLOG_CARD_READ] = "card_read",
	[OPLOG_CARD_TAKEN] = "card_taken",
	[OPLOG_REQUEST] = "request",
	[OPLOG_PRINT] = "print",
	[OPLOG_ISSUANCE] = "issuance",
	[OPLOG_TIMEOUT] = "timeout",
	[OPLOG_CANCEL] = "cancel",
	[OPLOG_WIPE] = "wipe",
	[OPLOG_STOP] = "stop",
};

static pthread_mutex_t oplog_lock = PTHREAD_MUTEX_INITIALIZER;
static bool oplog_is_open;
static enum oplog_sink oplog_sink_now = OPLOG_SINK_NONE;
static char oplog_id[OPLOG_ID_MAX + 1];

const char *oplog_step_name(enum oplog_step step)
{
	if ((unsigned)step >= OPLOG_STEP_COUNT || step_names[step] == NULL) {
		return "unknown";
	}
	return step_names[step];
}

static bool valid_id(const char *id)
{
	size_t n;

	if (id == NULL) {
		return false;
	}
	n = strlen(id);
	return n >= 1 && n <= OPLOG_ID_MAX &&
	       strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

/* A screen or prompt name: [a-z0-9_:]{1,31}, starting with a letter and with
 * no long digit run, so nothing numeric a resident typed or owns can pass. */
static bool valid_detail(const char *d)
{
	size_t n = strlen(d);
	unsigned run = 0;

	if (n < 1 || n > OPLOG_DETAIL_MAX || d[0] < 'a' || d[0] > 'z' ||
	    strspn(d, "abcdefghijklmnopqrstuvwxyz0123456789_:") != n) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		run = (d[i] >= '0' && d[i] <= '9') ? run + 1 : 0;
		if (run > OPLOG_DETAIL_DIGIT_RUN_MAX) {
			return false;
		}
	}
	return true;
}

/* "ok", or the error's name lower-cased ("card_removed"). */
static void result_word(int result, char *out, size_t cap)
{
	const char *name = result == KIOSK_OK ? "ok" : kiosk_err_name(result);
	size_t i;

	for (i = 0; i + 1 < cap && name[i] != '\0'; i++) {
		out[i] = (name[i] >= 'A' && name[i] <= 'Z') ? (char)(name[i] - 'A' + 'a') : name[i];
	}
	out[i] = '\0';
}

int oplog_open(enum oplog_sink sink, const char *kiosk_id)
{
	if (!valid_id(kiosk_id) || (unsigned)sink > OPLOG_SINK_NONE) {
		return KIOSK_ERR_INVALID_ARG;
	}
	pthread_mutex_lock(&oplog_lock);
	if (oplog_is_open && oplog_sink_now == OPLOG_SINK_SYSLOG) {
		closelog();
	}
	snprintf(oplog_id, sizeof(oplog_id), "%s", kiosk_id);
	oplog_sink_now = sink;
	oplog_is_open = true;
	if (sink == OPLOG_SINK_SYSLOG) {
		/* LOG_NDELAY: connect now, while the sandbox still allows it. */
		openlog("kiosk", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	}
	pthread_mutex_unlock(&oplog_lock);
	return KIOSK_OK;
}

void oplog_close(void)
{
	pthread_mutex_lock(&oplog_lock);
	if (oplog_is_open && oplog_sink_now == OPLOG_SINK_SYSLOG) {
		closelog();
	}
	oplog_is_open = false;
	oplog_sink_now = OPLOG_SINK_NONE;
	memset(oplog_id, 0, sizeof(oplog_id));
	pthread_mutex_unlock(&oplog_lock);
}

static void write_all(int fd, const char *s, size_t n)
{
	/* One write for a line this short (< PIPE_BUF); the loop only covers EINTR
	 * and a short write to a full pipe. */
	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			return;
		}
		s += w;
		n -= (size_t)w;
	}
}

void oplog_event(enum oplog_step step, const char *detail, int result, long duration_ms)
{
	char line[OPLOG_LINE_MAX];
	char stamp[32];
	char res[48];
	struct timespec ts;
	struct tm tm;
	int saved_errno = errno;
	int n;

	if (detail == NULL) {
		detail = "-";
	} else if (!valid_detail(detail)) {
		detail = "invalid";
	}
	if (duration_ms < 0) {
		duration_ms = 0;
	}
	result_word(result, res, sizeof(res));
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	if (strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		stamp[0] = '\0';
	}

	pthread_mutex_lock(&oplog_lock);
	if (!oplog_is_open || oplog_sink_now == OPLOG_SINK_NONE) {
		goto out;
	}
	n = snprintf(line, sizeof(line), "%s.%03ldZ kiosk=%s step=%s detail=%s result=%s ms=%ld\n",
		     stamp, ts.tv_nsec / 1000000L, oplog_id, oplog_step_name(step), detail, res,
		     duration_ms);
	if (n < 0 || (size_t)n >= sizeof(line)) {
		goto out; /* cannot happen with the bounded fields; never write a torn line */
	}
	if (oplog_sink_now == OPLOG_SINK_STDERR) {
		write_all(STDERR_FILENO, line, (size_t)n);
	} else {
		line[n - 1] = '\0'; /* syslog adds its own line end */
		syslog(LOG_INFO, "%s", line);
	}
out:
	pthread_mutex_unlock(&oplog_lock);
	errno = saved_errno;
}
