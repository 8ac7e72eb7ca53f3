/* SPDX-License-Identifier: MIT */
/*
 * Text display for QA and technicians: each screen printed as text, each
 * button with a key in brackets (digits for keypad ids, letters a, b, c...
 * for the rest). A key (a single keystroke, or a line) or a button id typed
 * and Enter is a tap; end of input is a quit.
 *
 * The holder's name and birth date are printed only to a terminal: output
 * that is redirected ends up in a log, so it gets "＊＊＊" instead.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <unistd.h>

#include <mbedtls/platform_util.h>

#include "kiosk/clock.h"
#include "display_tty.h"
#include "hal/display.h"
#include "kiosk/err.h"
#include "kiosk/screen.h"

/* the screen's buttons plus an on-screen keypad (0-9, del, ok) */
#define TTY_KEYS_MAX (KIOSK_SCREEN_BUTTONS_MAX + 12)
#define TTY_OUT_MAX 8192
#define TTY_IN_MAX 256
#define TTY_WRITE_TIMEOUT_MS 2000
#define MASK "＊＊＊"

struct tty_key {
	char key;
	char id[KIOSK_BUTTON_ID_MAX];
};

struct tty_priv {
	int in_fd, out_fd;
	struct tty_key keys[TTY_KEYS_MAX];
	size_t n_keys;
	char in[TTY_IN_MAX];
	size_t in_len;
	bool eof;
};

struct out {
	char buf[TTY_OUT_MAX];
	size_t len;
};

static void put_raw(struct out *o, const char *s, size_t n)
{
	if (n > sizeof(o->buf) - 1 - o->len) {
		n = sizeof(o->buf) - 1 - o->len; /* a truncated screen beats none */
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void put(struct out *o, const char *s)
{
	put_raw(o, s, strlen(s));
}

/* Text from the screen model, bounded by @cap, with control characters (C0,
 * DEL, C1 as UTF-8) shown as '?': no string may drive the terminal. */
static void put_text(struct out *o, const char *s, size_t cap, bool newlines)
{
	size_t n = strnlen(s, cap);

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9f) {
			put(o, "?");
			i++;
		} else if ((c < 0x20 && !(newlines && c == '\n')) || c == 0x7f) {
			put(o, "?");
		} else {
			put_raw(o, (const char *)&c, 1);
		}
	}
}

static void putf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void putf(struct out *o, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0) {
		put(o, tmp);
	}
}

static int write_all(int fd, const char *s, size_t n)
{
	int64_t deadline = kiosk_now_ms() + TTY_WRITE_TIMEOUT_MS;

	while (n > 0) {
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };
		int64_t left = deadline - kiosk_now_ms();
		ssize_t w;
		int r;

		if (left <= 0) {
			return KIOSK_ERR_TIMEOUT;
		}
		r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0 || (r > 0 && (pfd.revents & (POLLERR | POLLNVAL)))) {
			return KIOSK_ERR_IO;
		}
		if (r == 0) {
			return KIOSK_ERR_TIMEOUT;
		}
		w = write(fd, s, n);
		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				continue;
			}
			return KIOSK_ERR_IO;
		}
		s += w;
		n -= (size_t)w;
	}
	return KIOSK_OK;
}

static int tty_open(void *priv, const struct hal_display_config *cfg)
{
	struct tty_priv *p = priv;

	(void)cfg;
	p->in_fd = STDIN_FILENO;
	p->out_fd = STDOUT_FILENO;
	return KIOSK_OK;
}

static void tty_close(void *priv)
{
	struct tty_priv *p = priv;

	/* typed keys may have been PIN digits */
	mbedtls_platform_zeroize(p->in, sizeof(p->in));
	p->in_len = 0;
}

int hal_display_tty_set_fds(struct hal_display *d, int in_fd, int out_fd)
{
	struct tty_priv *p;

	if (d == NULL || d->ops != &hal_display_tty || d->priv == NULL || in_fd < 0 ||
	    out_fd < 0) {
		return KIOSK_ERR_INVALID_ARG;
	}
	p = d->priv;
	p->in_fd = in_fd;
	p->out_fd = out_fd;
	return KIOSK_OK;
}

static const struct tty_key *by_key(const struct tty_priv *p, char key)
{
	for (size_t i = 0; i < p->n_keys; i++) {
		if (p->keys[i].key == key) {
			return &p->keys[i];
		}
	}
	return NULL;
}

static const struct tty_key *by_id(const struct tty_priv *p, const char *id, size_t len)
{
	for (size_t i = 0; i < p->n_keys; i++) {
		if (strlen(p->keys[i].id) == len && memcmp(p->keys[i].id, id, len) == 0) {
			return &p->keys[i];
		}
	}
	return NULL;
}

static bool is_digit_id(const char *id)
{
	return id[0] >= '0' && id[0] <= '9' && id[1] == '\0';
}

static void add_key(struct tty_priv *p, char *next_letter, const char *id)
{
	struct tty_key *k;

	if (p->n_keys >= TTY_KEYS_MAX || *next_letter > 'z') {
		return;
	}
	k = &p->keys[p->n_keys];
	snprintf(k->id, sizeof(k->id), "%.*s", (int)sizeof(k->id) - 1, id);
	if (is_digit_id(k->id) && by_key(p, k->id[0]) == NULL) {
		k->key = k->id[0];
	} else {
		k->key = (*next_letter)++;
	}
	p->n_keys++;
}

/* The keys of @s: its buttons in order, then what an on-screen keypad adds. */
static void assign_keys(struct tty_priv *p, const struct kiosk_screen *s)
{
	static const char *const pad[] = { "1", "2", "3", "4", "5", "6", "7", "8", "9", "0",
					   KIOSK_BTN_DELETE, KIOSK_BTN_OK };
	char letter = 'a';

	p->n_keys = 0;
	for (size_t i = 0; i < s->n_buttons; i++) {
		add_key(p, &letter, s->buttons[i].id);
	}
	if (s->keypad) {
		for (size_t i = 0; i < sizeof(pad) / sizeof(pad[0]); i++) {
			if (by_id(p, pad[i], strlen(pad[i])) == NULL) {
				add_key(p, &letter, pad[i]);
			}
		}
	}
}

static void put_personal(struct out *o, bool terminal, const char *label, const char *value)
{
	put(o, label);
	if (terminal) {
		put_text(o, value, KIOSK_SCREEN_BODY_MAX, false);
	} else {
		put(o, MASK);
	}
	put(o, "\n");
}

static void render(struct tty_priv *p, struct out *o, const struct kiosk_screen *s)
{
	const bool ja = s->lang == KIOSK_LANG_JA;
	const char *name = kiosk_screen_name(s->id);
	bool terminal = isatty(p->out_fd) == 1;
	size_t shown = 0;

	put(o, "\n==== ");
	put_text(o, name != NULL ? name : "screen", 32, false);
	put(o, " ====\n");
	if (s->tone == KIOSK_TONE_ERROR) {
		put(o, "[!!] ");
	} else if (s->tone == KIOSK_TONE_ATTENTION) {
		put(o, "[!] ");
	}
	put_text(o, s->title, sizeof(s->title), false);
	put(o, "\n");
	if (s->bilingual && s->title_en[0] != '\0') {
		put_text(o, s->title_en, sizeof(s->title_en), false);
		put(o, "\n");
	}
	if (s->body[0] != '\0') {
		put_text(o, s->body, sizeof(s->body), true);
		put(o, "\n");
	}
	if (s->bilingual && s->body_en[0] != '\0') {
		put_text(o, s->body_en, sizeof(s->body_en), true);
		put(o, "\n");
	}
	if (s->id == KIOSK_SCREEN_PIN || s->keypad) {
		put(o, "PIN: ");
		for (unsigned i = 0; i < s->pin_digits && i < 16; i++) {
			put(o, "●");
		}
		for (unsigned i = s->pin_digits; i < 4; i++) {
			put(o, "○");
		}
		put(o, "\n");
	}
	if (s->tries_left >= 0 && (s->id == KIOSK_SCREEN_PIN || s->keypad)) {
		putf(o, ja ? "残り回数: %d\n" : "tries left: %d\n", s->tries_left);
	}
	if (s->holder_name != NULL) {
		put_personal(o, terminal, ja ? "氏名: " : "Name: ", s->holder_name);
	}
	if (s->holder_birth_date != NULL) {
		put_personal(o, terminal, ja ? "生年月日: " : "Date of birth: ", s->holder_birth_date);
	}
	for (size_t i = 0; i < p->n_keys; i++) {
		const struct tty_key *k = &p->keys[i];
		const char *label = NULL;

		if (i < s->n_buttons) {
			label = s->buttons[i].label;
		} else if (is_digit_id(k->id)) {
			/* added keypad digits: one row */
			putf(o, "%s[%c]", shown++ == 0 ? "  " : " ", k->key);
			continue;
		} else if (strcmp(k->id, KIOSK_BTN_DELETE) == 0) {
			label = ja ? "訂正" : "Delete";
		} else {
			label = ja ? "確定" : "OK";
		}
		if (shown > 0) {
			put(o, "\n");
			shown = 0;
		}
		putf(o, "  [%c] ", k->key);
		put_text(o, label, KIOSK_BUTTON_LABEL_MAX, false);
		put(o, " (");
		put_text(o, k->id, sizeof(k->id), false);
		put(o, ")");
		if (i < s->n_buttons && s->buttons[i].primary) {
			put(o, " *");
		}
		put(o, "\n");
	}
	if (shown > 0) {
		put(o, "\n");
	}
	if (s->seconds_left > 0) {
		putf(o, ja ? "(残り %u 秒)\n" : "(%u s left)\n", s->seconds_left);
	}
	put(o, "> ");
}

static int tty_present(void *priv, const struct kiosk_screen *s, const struct hal_display_frame *f)
{
	struct tty_priv *p = priv;
	struct out o;
	int rc;

	(void)f;
	assign_keys(p, s);
	o.len = 0;
	o.buf[0] = '\0';
	render(p, &o, s);
	rc = write_all(p->out_fd, o.buf, o.len);
	/* the text may hold the holder's name (terminal output) */
	mbedtls_platform_zeroize(o.buf, sizeof(o.buf));
	return rc;
}

static int emit(struct hal_input_event *ev, const struct tty_key *k)
{
	ev->kind = HAL_INPUT_TAP;
	snprintf(ev->id, sizeof(ev->id), "%s", k->id);
	return 1;
}

static void consume(struct tty_priv *p, size_t n)
{
	memmove(p->in, p->in + n, p->in_len - n);
	p->in_len -= n;
	mbedtls_platform_zeroize(p->in + p->in_len, n);
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return false;
		}
	}
	return n > 0;
}

/* 1 with @ev set when the buffered input holds a tap; 0 when it needs more. */
static int take_event(struct tty_priv *p, struct hal_input_event *ev)
{
	while (p->in_len > 0) {
		const struct tty_key *k = NULL;
		size_t ll = strcspn(p->in, "\r\n");

		if (ll >= p->in_len) {
			/* no line end yet: a lone keystroke (raw terminal, or a
			 * script writing one key) counts at once */
			if (p->in_len == 1) {
				if (p->in[0] == 0x7f || p->in[0] == 0x08) {
					k = by_id(p, KIOSK_BTN_DELETE, strlen(KIOSK_BTN_DELETE));
				} else {
					k = by_key(p, p->in[0]);
				}
				if (k != NULL) {
					consume(p, 1);
					return emit(ev, k);
				}
			}
			if (p->in_len >= sizeof(p->in) - 1) {
				consume(p, p->in_len); /* a line too long to mean anything */
			}
			return 0;
		}
		if (ll == 1) {
			k = by_key(p, p->in[0]);
		}
		if (k == NULL && ll > 0) {
			k = by_id(p, p->in, ll);
		}
		if (k == NULL && ll > 1 && all_digits(p->in, ll) && by_key(p, p->in[0]) != NULL) {
			/* a PIN typed as one line: one digit per poll */
			k = by_key(p, p->in[0]);
			consume(p, 1);
			return emit(ev, k);
		}
		consume(p, ll + 1);
		if (k != NULL) {
			return emit(ev, k);
		}
	}
	return 0;
}

/* NUL-terminates the buffer for strcspn; the byte after the data is spare. */
static int fill(struct tty_priv *p, int timeout_ms)
{
	struct pollfd pfd = { .fd = p->in_fd, .events = POLLIN };
	ssize_t n;
	int r;

	r = poll(&pfd, 1, timeout_ms);
	if (r < 0) {
		return errno == EINTR ? 0 : KIOSK_ERR_IO;
	}
	if (r == 0) {
		return 0;
	}
	if (pfd.revents & POLLNVAL) {
		return KIOSK_ERR_IO;
	}
	n = read(p->in_fd, p->in + p->in_len, sizeof(p->in) - 1 - p->in_len);
	if (n < 0) {
		return (errno == EINTR || errno == EAGAIN) ? 0 : KIOSK_ERR_IO;
	}
	if (n == 0) {
		p->eof = true;
		/* a last line without its newline still counts */
		if (p->in_len > 0 && p->in[p->in_len - 1] != '\n') {
			if (p->in_len < sizeof(p->in) - 1) {
				p->in[p->in_len++] = '\n';
			} else {
				consume(p, p->in_len);
			}
		}
	} else {
		p->in_len += (size_t)n;
	}
	p->in[p->in_len] = '\0';
	return 1;
}

static int tty_poll(void *priv, struct hal_input_event *ev, int timeout_ms)
{
	struct tty_priv *p = priv;
	int64_t deadline = kiosk_now_ms() + timeout_ms;
	unsigned late = 0;

	for (;;) {
		int64_t left;
		int rc;

		p->in[p->in_len] = '\0';
		if (take_event(p, ev)) {
			return 1;
		}
		if (p->eof) {
			ev->kind = HAL_INPUT_QUIT;
			return 1;
		}
		left = deadline - kiosk_now_ms();
		if (left < 0) {
			left = 0;
		}
		/* past the deadline, read what is already there, a bounded number of times */
		if (left == 0 && late++ > 16) {
			return 0;
		}
		rc = fill(p, (int)left);
		if (rc < 0) {
			return rc;
		}
		if (rc == 0 && left == 0) {
			return 0;
		}
	}
}

const struct hal_display_ops hal_display_tty = {
	.name = "tty",
	.priv_size = sizeof(struct tty_priv),
	.wants_pixels = false,
	.open = tty_open,
	.close = tty_close,
	.present = tty_present,
	.poll = tty_poll,
};
