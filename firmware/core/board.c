/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/board.h"
#include "kiosk/err.h"

#ifndef KIOSK_DEFAULT_BOARD_DIR
#define KIOSK_DEFAULT_BOARD_DIR "/usr/share/kiosk/board"
#endif
#ifndef KIOSK_BUILD_DIR
#define KIOSK_BUILD_DIR "/usr/share/kiosk"
#endif

#define BOARD_FILE_MAX (16 * 1024)
#define BOARD_LINE_MAX 512

void kiosk_board_init(struct kiosk_board *b)
{
	memset(b, 0, sizeof(*b));
	snprintf(b->reader_backend, sizeof(b->reader_backend), "pcsc");
	b->apdu_timeout_ms = 5000;
	b->card_wait_ms = 60000;
	b->presence_proof = true;
	b->allow_sfi = true;
	b->allow_extended = true;
	/* docs/center-protocol.md: connect 5 s, handshake 10 s, each read 15 s. */
	b->center_connect_timeout_ms = 5000;
	b->center_handshake_timeout_ms = 10000;
	b->center_read_timeout_ms = 15000;
	snprintf(b->printer_backend, sizeof(b->printer_backend), "ipp");
	b->printer_dpi = 300;
	snprintf(b->printer_paper, sizeof(b->printer_paper), "a4");
	b->printer_timeout_ms = 60000;
	snprintf(b->display_backend, sizeof(b->display_backend), "tty");
	b->display_width = 1280;
	b->display_height = 800;
	snprintf(b->audio_backend, sizeof(b->audio_backend), "null");
	snprintf(b->oplog_sink, sizeof(b->oplog_sink), "stderr");
	b->screen_timeout_ms = 60000;
	b->pin_timeout_ms = 30000;
	b->take_card_timeout_ms = 30000;
	b->take_paper_ms = 10000;
	b->message_ms = 10000;
	b->munis_refresh_ms = 600000;
}

static int set_why(char *why, size_t cap, unsigned line, const char *what)
{
	if (why != NULL && cap > 0) {
		snprintf(why, cap, "board.conf line %u: %s", line, what);
	}
	return KIOSK_ERR_CONFIG;
}

static int parse_bool(const char *v, bool *out)
{
	if (strcmp(v, "true") == 0 || strcmp(v, "on") == 0 || strcmp(v, "1") == 0) {
		*out = true;
		return 0;
	}
	if (strcmp(v, "false") == 0 || strcmp(v, "off") == 0 || strcmp(v, "0") == 0) {
		*out = false;
		return 0;
	}
	return -1;
}

static int parse_ms(const char *v, unsigned *out)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	/* 1 ms .. 10 min: a zero or absurd watchdog is a configuration error. */
	if (errno != 0 || *v == '\0' || *end != '\0' || n == 0 || n > 600000) {
		return -1;
	}
	*out = (unsigned)n;
	return 0;
}

static int parse_dpi(const char *v, unsigned *out)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno != 0 || *v == '\0' || *end != '\0' || n < 150 || n > 1200) {
		return -1;
	}
	*out = (unsigned)n;
	return 0;
}

static int copy_str(char *dst, size_t cap, const char *v)
{
	size_t n = strlen(v);

	if (n >= cap) {
		return -1;
	}
	memcpy(dst, v, n + 1);
	return 0;
}

/* Expand the @build@ / @board@ prefixes of a path setting. */
static int expand_path(const struct kiosk_board *b, char *dst, size_t cap, const char *v)
{
	int n;

	if (strncmp(v, "@build@", 7) == 0) {
		n = snprintf(dst, cap, "%s%s", KIOSK_BUILD_DIR, v + 7);
	} else if (strncmp(v, "@board@", 7) == 0) {
		n = snprintf(dst, cap, "%s%s", b->dir, v + 7);
	} else {
		n = snprintf(dst, cap, "%s", v);
	}
	return (n < 0 || (size_t)n >= cap) ? -1 : 0;
}

/* "auto" or one QR error-correction level letter. */
static int parse_ecc(const char *v, char *out)
{
	if (strcmp(v, "auto") == 0) {
		*out = 0;
		return 0;
	}
	if (v[0] != '\0' && v[1] == '\0' && strchr("LMQH", v[0]) != NULL) {
		*out = v[0];
		return 0;
	}
	return -1;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t') {
		s++;
	}
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) {
		*--e = '\0';
	}
	return s;
}

static int one_of(const char *v, const char *a, const char *b, const char *c)
{
	return strcmp(v, a) == 0 || strcmp(v, b) == 0 || (c != NULL && strcmp(v, c) == 0) ? 0
											     : -1;
}

static int parse_pixels(const char *v, unsigned *out)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno != 0 || *v == '\0' || *end != '\0' || n < 320 || n > 7680) {
		return -1;
	}
	*out = (unsigned)n;
	return 0;
}

/* The kiosk program's keys: display, audio, operation log, screen timeouts. */
static int apply_kiosk(struct kiosk_board *b, const char *k, const char *v)
{
	static const struct {
		const char *key;
		size_t off;
	} ms[] = {
		{ "flow.screen_timeout_ms", offsetof(struct kiosk_board, screen_timeout_ms) },
		{ "flow.pin_timeout_ms", offsetof(struct kiosk_board, pin_timeout_ms) },
		{ "flow.take_card_timeout_ms", offsetof(struct kiosk_board, take_card_timeout_ms) },
		{ "flow.take_paper_ms", offsetof(struct kiosk_board, take_paper_ms) },
		{ "flow.message_ms", offsetof(struct kiosk_board, message_ms) },
		{ "flow.municipalities_refresh_ms", offsetof(struct kiosk_board, munis_refresh_ms) },
	};

	for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++) {
		if (strcmp(k, ms[i].key) == 0) {
			return parse_ms(v, (unsigned *)(void *)((char *)b + ms[i].off));
		}
	}
	if (strcmp(k, "display.backend") == 0) {
		return one_of(v, "sdl", "tty", NULL) != 0
			       ? -1
			       : copy_str(b->display_backend, sizeof(b->display_backend), v);
	}
	if (strcmp(k, "display.width") == 0) {
		return parse_pixels(v, &b->display_width);
	}
	if (strcmp(k, "display.height") == 0) {
		return parse_pixels(v, &b->display_height);
	}
	if (strcmp(k, "display.fullscreen") == 0) {
		return parse_bool(v, &b->display_fullscreen);
	}
	if (strcmp(k, "display.screenshot_dir") == 0) {
		return expand_path(b, b->display_screenshot_dir, sizeof(b->display_screenshot_dir), v);
	}
	if (strcmp(k, "audio.backend") == 0) {
		return one_of(v, "sdl", "null", NULL) != 0
			       ? -1
			       : copy_str(b->audio_backend, sizeof(b->audio_backend), v);
	}
	if (strcmp(k, "audio.prompts_dir") == 0) {
		return expand_path(b, b->audio_prompts_dir, sizeof(b->audio_prompts_dir), v);
	}
	if (strcmp(k, "oplog.sink") == 0) {
		return one_of(v, "stderr", "syslog", "none") != 0
			       ? -1
			       : copy_str(b->oplog_sink, sizeof(b->oplog_sink), v);
	}
	if (strcmp(k, "systemd.watchdog") == 0) {
		return parse_bool(v, &b->systemd_watchdog);
	}
	return -2;
}

static int apply(struct kiosk_board *b, const char *k, const char *v)
{
	if (strcmp(k, "name") == 0) {
		return copy_str(b->name, sizeof(b->name), v);
	}
	if (strcmp(k, "production") == 0) {
		return parse_bool(v, &b->production);
	}
	if (strcmp(k, "reader.backend") == 0) {
		if (strcmp(v, "pcsc") != 0 && strcmp(v, "sim") != 0 && strcmp(v, "nfc") != 0) {
			return -1;
		}
		return copy_str(b->reader_backend, sizeof(b->reader_backend), v);
	}
	if (strcmp(k, "reader.pattern") == 0) {
		return copy_str(b->reader_pattern, sizeof(b->reader_pattern), v);
	}
	if (strcmp(k, "reader.apdu_timeout_ms") == 0) {
		return parse_ms(v, &b->apdu_timeout_ms);
	}
	if (strcmp(k, "card.wait_ms") == 0) {
		return parse_ms(v, &b->card_wait_ms);
	}
	if (strcmp(k, "card.presence_proof") == 0) {
		return parse_bool(v, &b->presence_proof);
	}
	if (strcmp(k, "card.sfi") == 0) {
		return parse_bool(v, &b->allow_sfi);
	}
	if (strcmp(k, "card.extended_length") == 0) {
		return parse_bool(v, &b->allow_extended);
	}
	if (strcmp(k, "card.anchors_dir") == 0) {
		return expand_path(b, b->anchors_dir, sizeof(b->anchors_dir), v);
	}
	if (strcmp(k, "center.url") == 0) {
		return copy_str(b->center_url, sizeof(b->center_url), v);
	}
	if (strcmp(k, "center.ca_file") == 0) {
		return expand_path(b, b->center_ca_file, sizeof(b->center_ca_file), v);
	}
	if (strcmp(k, "center.client_cert") == 0) {
		return expand_path(b, b->center_client_cert, sizeof(b->center_client_cert), v);
	}
	if (strcmp(k, "center.client_key") == 0) {
		return expand_path(b, b->center_client_key, sizeof(b->center_client_key), v);
	}
	if (strcmp(k, "certificate.issuer_jwks") == 0) {
		return expand_path(b, b->cert_issuer_jwks, sizeof(b->cert_issuer_jwks), v);
	}
	if (strcmp(k, "certificate.csca") == 0) {
		return expand_path(b, b->cert_csca, sizeof(b->cert_csca), v);
	}
	if (strcmp(k, "center.kiosk_id") == 0) {
		return copy_str(b->center_kiosk_id, sizeof(b->center_kiosk_id), v);
	}
	if (strcmp(k, "center.connect_timeout_ms") == 0) {
		return parse_ms(v, &b->center_connect_timeout_ms);
	}
	if (strcmp(k, "center.handshake_timeout_ms") == 0) {
		return parse_ms(v, &b->center_handshake_timeout_ms);
	}
	if (strcmp(k, "center.read_timeout_ms") == 0) {
		return parse_ms(v, &b->center_read_timeout_ms);
	}
	if (strcmp(k, "printer.backend") == 0) {
		if (strcmp(v, "ipp") != 0 && strcmp(v, "preview") != 0) {
			return -1;
		}
		return copy_str(b->printer_backend, sizeof(b->printer_backend), v);
	}
	if (strcmp(k, "printer.uri") == 0) {
		if (*v != '\0' && strncmp(v, "ipp://", 6) != 0 && strncmp(v, "ipps://", 7) != 0) {
			return -1;
		}
		return copy_str(b->printer_uri, sizeof(b->printer_uri), v);
	}
	if (strcmp(k, "printer.dpi") == 0) {
		return parse_dpi(v, &b->printer_dpi);
	}
	if (strcmp(k, "printer.paper") == 0) {
		/* A4 only: the certificate layout is A4 portrait. */
		if (strcmp(v, "a4") != 0) {
			return -1;
		}
		return copy_str(b->printer_paper, sizeof(b->printer_paper), v);
	}
	if (strcmp(k, "render.shc_qr_ecc") == 0) {
		return parse_ecc(v, &b->shc_qr_ecc);
	}
	if (strcmp(k, "render.vdsnc_qr_ecc") == 0) {
		return parse_ecc(v, &b->vdsnc_qr_ecc);
	}
	if (strcmp(k, "printer.timeout_ms") == 0) {
		return parse_ms(v, &b->printer_timeout_ms);
	}
	return apply_kiosk(b, k, v);
}

int kiosk_board_parse(struct kiosk_board *b, const char *text, size_t len, char *why,
		      size_t why_cap)
{
	char line[BOARD_LINE_MAX];
	size_t pos = 0;
	unsigned lineno = 0;

	if (len > BOARD_FILE_MAX) {
		return set_why(why, why_cap, 0, "file too large");
	}
	while (pos < len) {
		size_t end = pos;
		char *eq;
		char *k;
		char *v;
		int rc;

		while (end < len && text[end] != '\n') {
			end++;
		}
		lineno++;
		if (end - pos >= sizeof(line)) {
			return set_why(why, why_cap, lineno, "line too long");
		}
		if (memchr(text + pos, '\0', end - pos) != NULL) {
			return set_why(why, why_cap, lineno, "NUL byte");
		}
		memcpy(line, text + pos, end - pos);
		line[end - pos] = '\0';
		pos = end + 1;
		k = trim(line);
		if (*k == '\0' || *k == '#') {
			continue;
		}
		eq = strchr(k, '=');
		if (eq == NULL) {
			return set_why(why, why_cap, lineno, "expected key = value");
		}
		*eq = '\0';
		v = trim(eq + 1);
		k = trim(k);
		rc = apply(b, k, v);
		if (rc == -2) {
			return set_why(why, why_cap, lineno, "unknown key");
		}
		if (rc != 0) {
			return set_why(why, why_cap, lineno, "invalid value");
		}
	}
	return KIOSK_OK;
}

static int read_file(const char *path, char *buf, size_t cap, size_t *len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (f == NULL) {
		return KIOSK_ERR_CONFIG;
	}
	n = fread(buf, 1, cap, f);
	if (ferror(f) || n == cap) {
		fclose(f);
		return KIOSK_ERR_CONFIG;
	}
	fclose(f);
	*len = n;
	return KIOSK_OK;
}

int kiosk_board_load(struct kiosk_board *b, const char *name, char *why, size_t why_cap)
{
	char *text = NULL;
	char path[PATH_MAX];
	const char *root = getenv("KIOSK_BOARD_DIR");
	size_t len = 0;
	int n;
	int rc;

	kiosk_board_init(b);
	if (name == NULL || *name == '\0') {
		return set_why(why, why_cap, 0, "no board named");
	}
	if (strchr(name, '/') != NULL) {
		n = snprintf(b->dir, sizeof(b->dir), "%s", name);
	} else {
		n = snprintf(b->dir, sizeof(b->dir), "%s/%s", root ? root : KIOSK_DEFAULT_BOARD_DIR,
			     name);
	}
	if (n < 0 || (size_t)n >= sizeof(b->dir)) {
		return set_why(why, why_cap, 0, "board path too long");
	}
	n = snprintf(path, sizeof(path), "%s/board.conf", b->dir);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		return set_why(why, why_cap, 0, "board path too long");
	}
	text = malloc(BOARD_FILE_MAX + 1);
	if (text == NULL) {
		return KIOSK_ERR_NO_MEMORY;
	}
	rc = read_file(path, text, BOARD_FILE_MAX + 1, &len);
	if (rc != 0) {
		free(text);
		if (why != NULL && why_cap > 0) {
			snprintf(why, why_cap, "cannot read %s", path);
		}
		return rc;
	}
	rc = kiosk_board_parse(b, text, len, why, why_cap);
	free(text);
	if (rc == 0 && b->name[0] == '\0') {
		snprintf(b->name, sizeof(b->name), "%.*s", (int)sizeof(b->name) - 1, name);
	}
	return rc;
}
