/* SPDX-License-Identifier: MIT */
/*
 * The scripted resident (hal/script.h). The whole script is parsed and
 * checked before the kiosk starts, so a typo fails at once with its line
 * number instead of half-way through an end-to-end run.
 */
#define _GNU_SOURCE /* clock_nanosleep */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kiosk/clock.h"
#include "hal/script.h"
#include "kiosk/err.h"
#include "simctl.h"

#ifndef HAL_SCRIPT_PERSONA_DIR
#define HAL_SCRIPT_PERSONA_DIR "/usr/share/kiosk/personas"
#endif

/* An hour: longer waits are a typo, not a walk-away test. */
#define SCRIPT_MS_MAX 3600000L
#define SCRIPT_WORDS_MAX 4
#define SCRIPT_PIN_MAX 8
#define SCRIPT_SCREEN_MAX 31
/* A whole script: every line at its longest plus its newline. */
#define SCRIPT_FILE_MAX ((size_t)HAL_SCRIPT_LINES_MAX * (HAL_SCRIPT_LINE_MAX + 1))

enum script_verb { V_EXPECT, V_TAP, V_PIN, V_CARD_INSERT, V_CARD_REMOVE, V_WAIT, V_REPEAT, V_QUIT };

struct script_action {
	enum script_verb verb;
	unsigned line;
	long ms;                         /* expect: timeout; wait: duration */
	char arg[HAL_SCRIPT_LINE_MAX];   /* screen, button id, digits or persona ("" none) */
};

struct hal_script {
	struct script_action *acts;
	size_t n;
	size_t pc;          /* the action being run */
	bool started;       /* acts[pc] has its deadline set */
	long deadline;      /* CLOCK_MONOTONIC ms, expect and wait */
	size_t pin_pos;     /* pin: digits already tapped */
	long repeats_left;  /* repeat: runs still to go back for; -1 = not started */
	char ctl[PATH_MAX]; /* simulator control socket; "" = $KIOSK_CARDSIM_CTL */
};

/* Sleep until @until (ms, CLOCK_MONOTONIC) in steps of at most 50 ms, so a
 * signal or a clock oddity never stretches one call. */
static void sleep_until(long until)
{
	for (;;) {
		long left = until - kiosk_now_ms();
		struct timespec ts;

		if (left <= 0) {
			return;
		}
		if (left > 50) {
			left = 50;
		}
		ts.tv_sec = 0;
		ts.tv_nsec = left * 1000000L;
		(void)clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
	}
}

static int fail(char *why, size_t cap, int rc, unsigned line, const char *reason)
{
	if (why != NULL && cap > 0) {
		snprintf(why, cap, "line %u: %s", line, reason);
	}
	return rc;
}

/* Decimal milliseconds in [min, SCRIPT_MS_MAX]. */
static int parse_ms(const char *s, long min, long *out)
{
	long n = 0;

	if (*s == '\0' || strlen(s) > 7) {
		return -1;
	}
	for (const char *p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9') {
			return -1;
		}
		n = n * 10 + (*p - '0');
	}
	if (n < min || n > SCRIPT_MS_MAX) {
		return -1;
	}
	*out = n;
	return 0;
}

static bool all_of(const char *s, const char *set, size_t max)
{
	size_t n = strlen(s);

	return n >= 1 && n <= max && strspn(s, set) == n;
}

#define LOWER_WORD "abcdefghijklmnopqrstuvwxyz0123456789_"
#define DIGITS "0123456789"
/* Button ids: lower-case words, "m:<code>", digits. */
#define BUTTON_CHARS LOWER_WORD ":-"
#define PERSONA_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZ" LOWER_WORD "-./"

/* Split @line (modified) at blanks into at most SCRIPT_WORDS_MAX words. */
static int split(char *line, char **w)
{
	int n = 0;
	char *save = NULL;

	for (char *t = strtok_r(line, " \t", &save); t != NULL; t = strtok_r(NULL, " \t", &save)) {
		if (n == SCRIPT_WORDS_MAX) {
			return -1;
		}
		w[n++] = t;
	}
	return n;
}

static int parse_line(char *line, unsigned lineno, struct script_action *a, char *why,
		      size_t cap)
{
	char *w[SCRIPT_WORDS_MAX] = { NULL };
	int n = split(line, w);

	memset(a, 0, sizeof(*a));
	a->line = lineno;
	if (n < 0) {
		return fail(why, cap, KIOSK_ERR_CONFIG, lineno, "too many arguments");
	}
	if (strcmp(w[0], "expect") == 0) {
		if (n < 2) {
			return fail(why, cap, KIOSK_ERR_CONFIG, lineno, "expect needs a screen");
		}
		if (n > 3) {
			return fail(why, cap, KIOSK_ERR_CONFIG, lineno, "too many arguments");
		}
		if (!all_of(w[1], LOWER_WORD, SCRIPT_SCREEN_MAX)) {
			return fail(why, cap, KIOSK_ERR_CONFIG, lineno, "bad screen name");
		}
		a->verb = V_EXPECT;
		a->ms = HAL_SCRIPT_EXPECT_DEFAULT_MS;
		if (n == 3 && parse_ms(w[2], 1, &a->ms) != 0) {
			return fail(why, cap, KIOSK_ERR_CONFIG, lineno, "bad timeout (1..3600000 ms)");
		}
		snprintf(a->arg, sizeof(a->arg), "%s", w[1]);
	} else if (strcmp(w[0], "tap") == 0) {
		if (n != 2) {
			return fail(why, cap, KIOSK_ERR_CONFIG, lineno,
				    n < 2 ? "tap needs a button id" : "too many arguments");
		}
		if (!all_of(w[1], BUTTON_CHARS, KIOSK_BUTTON_ID_MAX - 1)) {
			return fail(why, cap, KIOSK_ERR_CONFIG, lineno, "bad button id");
		}
		a->verb = V_TAP;
		snprintf(a->arg, sizeof(a->arg), "%s", w[1]);
	} else if (strcmp(w[0], "pin") == 0) {
		if (n != 2) {
			return fail(why, cap, KIOSK_ERR_CONFIG, lineno,
				    n < 2 ? "pin needs digits" : "too many arguments");
		}
		/* The message names no digits: a script's PIN stays out of logs too. */
		if (!all_of(w[1], DIGITS, SCRIPT_PIN_MAX)) {
			return fail(why, cap, KIOSK_ERR_CONFIG, lineno, "pin takes 1 to 8 digits");
		}
		a->verb = V_PIN;
		snprintf(a->arg, sizeof(a->arg), "%s", w[1]);
	} else if (strcmp(w[0], "card") == 0) {
		if (n < 2) {
			return fail(why, cap, KIOSK_ERR_CONFIG, lineno, "card needs insert or remove");
		}
		if (strcmp(w[1], "insert") == 0) {
			if (n > 3) {
				return fail(why, cap, KIOSK_ERR_CONFIG, lineno, "too many arguments");
			}
			if (n == 3 && !all_of(w[2], PERSONA_CHARS, sizeof(a->arg) - 1)) {
				return fail(why, cap, KIOSK_ERR_CONFIG, lineno, "bad persona");
			}
			a->verb = V_CARD_INSERT;
			if (n == 3) {
				snprintf(a->arg, sizeof(a->arg), "%s", w[2]);
			}
		} else if (strcmp(w[1], "remove") == 0) {
			if (n != 2) {
				return fail(why, cap, KIOSK_ERR_CONFIG, lineno, "too many arguments");
			}
			a->verb = V_CARD_REMOVE;
		} else {
			return fail(why, cap, KIOSK_ERR_CONFIG, lineno, "card needs insert or remove");
		}
	} else if (strcmp(w[0], "wait") == 0) {
		if (n != 2) {
			return fail(why, cap, KIOSK_ERR_CONFIG, lineno,
				    n < 2 ? "wait needs milliseconds" : "too many arguments");
		}
		if (parse_ms(w[1], 0, &a->ms) != 0) {
			return fail(why, cap, KIOSK_ERR_CONFIG, lineno, "bad duration (0..3600000 ms)");
		}
		a->verb = V_WAIT;
	} else if (strcmp(w[0], "repeat") == 0) {
		/* "repeat N": run the script from its first line N more times (soak tests) */
		if (n != 2 || parse_ms(w[1], 1, &a->ms) != 0) {
			return fail(why, cap, KIOSK_ERR_CONFIG, lineno, "repeat needs a count (1..3600000)");
		}
		a->verb = V_REPEAT;
	} else if (strcmp(w[0], "quit") == 0) {
		if (n != 1) {
			return fail(why, cap, KIOSK_ERR_CONFIG, lineno, "too many arguments");
		}
		a->verb = V_QUIT;
	} else {
		return fail(why, cap, KIOSK_ERR_CONFIG, lineno, "unknown action");
	}
	return 0;
}

int hal_script_parse(struct hal_script **out, const char *text, size_t len,
		     const char *cardsim_ctl, char *why, size_t why_cap)
{
	struct hal_script *s = NULL;
	size_t pos = 0;
	unsigned lineno = 0;
	int rc;

	if (out == NULL || (text == NULL && len > 0)) {
		return KIOSK_ERR_INVALID_ARG;
	}
	*out = NULL;
	if (cardsim_ctl != NULL && strlen(cardsim_ctl) >= PATH_MAX) {
		return fail(why, why_cap, KIOSK_ERR_CONFIG, 0, "control socket path too long");
	}
	s = calloc(1, sizeof(*s));
	if (s != NULL) {
		s->acts = calloc(HAL_SCRIPT_LINES_MAX, sizeof(*s->acts));
	}
	if (s == NULL || s->acts == NULL) {
		rc = KIOSK_ERR_NO_MEMORY;
		goto out;
	}
	s->repeats_left = -1;
	if (cardsim_ctl != NULL) {
		snprintf(s->ctl, sizeof(s->ctl), "%s", cardsim_ctl);
	}
	while (pos < len) {
		char line[HAL_SCRIPT_LINE_MAX];
		size_t end = pos;
		char *p;

		while (end < len && text[end] != '\n') {
			end++;
		}
		lineno++;
		if (lineno > HAL_SCRIPT_LINES_MAX) {
			rc = fail(why, why_cap, KIOSK_ERR_CONFIG, lineno, "too many lines (max 512)");
			goto out;
		}
		if (end - pos >= sizeof(line)) {
			rc = fail(why, why_cap, KIOSK_ERR_CONFIG, lineno, "line too long (max 127)");
			goto out;
		}
		if (memchr(text + pos, '\0', end - pos) != NULL) {
			rc = fail(why, why_cap, KIOSK_ERR_CONFIG, lineno, "NUL byte");
			goto out;
		}
		memcpy(line, text + pos, end - pos);
		line[end - pos] = '\0';
		pos = end + 1;
		p = line + strspn(line, " \t");
		p[strcspn(p, "\r")] = '\0'; /* CRLF files; a CR elsewhere ends the line */
		if (*p == '\0' || *p == '#' || p[strspn(p, " \t")] == '\0') {
			continue;
		}
		rc = parse_line(p, lineno, &s->acts[s->n], why, why_cap);
		if (rc != 0) {
			goto out;
		}
		s->n++;
	}
	*out = s;
	s = NULL;
	rc = 0;
out:
	hal_script_free(s);
	return rc;
}

int hal_script_open(struct hal_script **out, const char *path, const char *cardsim_ctl,
		    char *why, size_t why_cap)
{
	char *text = NULL;
	size_t len = 0;
	int fd = -1;
	int rc;

	if (out == NULL || path == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	*out = NULL;
	text = malloc(SCRIPT_FILE_MAX + 1);
	if (text == NULL) {
		return KIOSK_ERR_NO_MEMORY;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = fail(why, why_cap, KIOSK_ERR_IO, 0, "cannot open the script");
		goto out;
	}
	/* One byte more than the cap tells "too large" from "exactly full". */
	while (len < SCRIPT_FILE_MAX + 1) {
		ssize_t r = read(fd, text + len, SCRIPT_FILE_MAX + 1 - len);

		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			rc = fail(why, why_cap, KIOSK_ERR_IO, 0, "cannot read the script");
			goto out;
		}
		if (r == 0) {
			break;
		}
		len += (size_t)r;
	}
	if (len > SCRIPT_FILE_MAX) {
		rc = fail(why, why_cap, KIOSK_ERR_CONFIG, 0, "script too large");
		goto out;
	}
	rc = hal_script_parse(out, text, len, cardsim_ctl, why, why_cap);
out:
	if (fd >= 0) {
		close(fd);
	}
	free(text);
	return rc;
}

void hal_script_free(struct hal_script *s)
{
	if (s == NULL) {
		return;
	}
	free(s->acts);
	free(s);
}

static void next_action(struct hal_script *s)
{
	s->pc++;
	s->started = false;
	s->pin_pos = 0;
}

static void tap(struct hal_input_event *ev, const char *id)
{
	size_t n = strlen(id);

	/* ids were length-checked when the script was parsed */
	ev->kind = HAL_INPUT_TAP;
	if (n >= sizeof(ev->id)) {
		n = sizeof(ev->id) - 1;
	}
	memcpy(ev->id, id, n);
	ev->id[n] = '\0';
}

/* "card insert [persona]" / "card remove" over the simulator's control socket.
 * Loading a persona also inserts its card (tools/cardsim/control.c). */
static int run_card(struct hal_script *s, const struct script_action *a, char *why, size_t cap)
{
	const char *ctl = s->ctl[0] != '\0' ? s->ctl : NULL;
	char reply[256] = "";
	char msg[160];
	int rc;

	if (a->verb == V_CARD_REMOVE) {
		rc = simctl_cmd(ctl, "remove", reply, sizeof(reply));
	} else if (a->arg[0] == '\0') {
		rc = simctl_cmd(ctl, "insert", reply, sizeof(reply));
	} else if (strchr(a->arg, '/') != NULL) {
		rc = simctl_cmdf(ctl, reply, sizeof(reply), "load %s", a->arg);
	} else {
		const char *dir = getenv("KIOSK_PERSONAS");
		size_t n = strlen(a->arg);
		bool has_ext = n > 5 && strcmp(a->arg + n - 5, ".json") == 0;

		rc = simctl_cmdf(ctl, reply, sizeof(reply), "load %s/%s%s",
				 dir != NULL && dir[0] != '\0' ? dir : HAL_SCRIPT_PERSONA_DIR,
				 a->arg, has_ext ? "" : ".json");
	}
	if (rc == 0) {
		return 0;
	}
	if (rc < 0) {
		snprintf(msg, sizeof(msg), "card %s: card simulator unreachable",
			 a->verb == V_CARD_REMOVE ? "remove" : "insert");
	} else {
		reply[strcspn(reply, "\r\n")] = '\0';
		snprintf(msg, sizeof(msg), "card %s: simulator says \"%.100s\"",
			 a->verb == V_CARD_REMOVE ? "remove" : "insert", reply);
	}
	return fail(why, cap, KIOSK_ERR_IO, a->line, msg);
}

int hal_script_next(struct hal_script *s, const char *screen, struct hal_input_event *ev,
		    int timeout_ms, char *why, size_t why_cap)
{
	long call_end;

	if (s == NULL || ev == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	memset(ev, 0, sizeof(*ev));
	call_end = kiosk_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	if (screen == NULL) {
		screen = "";
	}
	for (;;) {
		struct script_action *a;
		long now;
		int rc;

		if (s->pc >= s->n) {
			ev->kind = HAL_INPUT_QUIT; /* the end of the script stops the kiosk */
			return 1;
		}
		a = &s->acts[s->pc];
		now = kiosk_now_ms();
		if ((a->verb == V_EXPECT || a->verb == V_WAIT) && !s->started) {
			s->deadline = now + a->ms;
			s->started = true;
		}
		switch (a->verb) {
		case V_EXPECT:
			if (strcmp(screen, a->arg) == 0) {
				next_action(s);
				continue;
			}
			if (now >= s->deadline) {
				char msg[96];

				snprintf(msg, sizeof(msg), "expected %.31s, showing %.31s", a->arg,
					 screen[0] != '\0' ? screen : "nothing");
				return fail(why, why_cap, KIOSK_ERR_TIMEOUT, a->line, msg);
			}
			/* The screen cannot change while we hold the caller: wait as a
			 * display poll would, then report the deadline if it passed. */
			sleep_until(call_end < s->deadline ? call_end : s->deadline);
			if (kiosk_now_ms() >= s->deadline) {
				continue;
			}
			return 0;
		case V_TAP:
			tap(ev, a->arg);
			next_action(s);
			return 1;
		case V_PIN:
			if (a->arg[s->pin_pos] != '\0') {
				char digit[2] = { a->arg[s->pin_pos], '\0' };

				tap(ev, digit);
				s->pin_pos++;
				return 1;
			}
			tap(ev, "ok");
			next_action(s);
			return 1;
		case V_CARD_INSERT:
		case V_CARD_REMOVE:
			rc = run_card(s, a, why, why_cap);
			if (rc != 0) {
				return rc;
			}
			next_action(s);
			return 0;
		case V_WAIT:
			if (now >= s->deadline) {
				next_action(s);
				continue;
			}
			sleep_until(call_end < s->deadline ? call_end : s->deadline);
			if (kiosk_now_ms() >= s->deadline) {
				next_action(s);
				/* Go on only if the call still has time: an expect after it may sleep. */
				if (kiosk_now_ms() < call_end) {
					continue;
				}
			}
			return 0;
		case V_REPEAT:
			if (s->repeats_left < 0) {
				s->repeats_left = a->ms;
			}
			if (s->repeats_left > 0) {
				s->repeats_left--;
				s->pc = 0;
				s->started = false;
				s->pin_pos = 0;
			} else {
				s->repeats_left = -1;
				next_action(s);
			}
			continue;
		case V_QUIT:
			ev->kind = HAL_INPUT_QUIT;
			return 1;
		}
		return KIOSK_ERR_INTERNAL;
	}
}
