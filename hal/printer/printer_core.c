/* SPDX-License-Identifier: MIT */
/*
 * Printer HAL core: the dispatch wrappers (a NULL op is KIOSK_ERR_NOT_SUPPORTED),
 * backend lookup, and the pure rules every backend shares: which
 * printer-state-reasons stop a print and what the resident is told, which job
 * names may leave the kiosk, and the technician's JSON view of the status.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/platform_util.h>

#include "hal/printer.h"
#include "kiosk/board.h"
#include "kiosk/err.h"

static const struct hal_printer_ops *const backends[] = {
	&hal_printer_ipp,
	&hal_printer_preview,
	NULL,
};

const struct hal_printer_ops *hal_printer_backend(const char *name)
{
	if (name == NULL) {
		return NULL;
	}
	for (size_t i = 0; backends[i] != NULL; i++) {
		if (strcmp(backends[i]->name, name) == 0) {
			return backends[i];
		}
	}
	return NULL;
}

int hal_printer_config_from_board(const struct kiosk_board *b, const char *preview_path,
				  struct hal_printer_config *cfg,
				  const struct hal_printer_ops **ops)
{
	const struct hal_printer_ops *o;

	if (b == NULL || cfg == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	memset(cfg, 0, sizeof(*cfg));
	o = hal_printer_backend(b->printer_backend);
	if (o == NULL) {
		return KIOSK_ERR_CONFIG;
	}
	if (o == &hal_printer_ipp && b->printer_uri[0] == '\0') {
		return KIOSK_ERR_CONFIG;
	}
	cfg->uri = b->printer_uri[0] != '\0' ? b->printer_uri : NULL;
	cfg->preview_path = preview_path;
	cfg->production = b->production;
	cfg->dpi = b->printer_dpi;
	cfg->paper = b->printer_paper[0] != '\0' ? b->printer_paper : NULL;
	cfg->timeout_ms = b->printer_timeout_ms;
	if (ops != NULL) {
		*ops = o;
	}
	return KIOSK_OK;
}

int hal_printer_open_board(struct hal_printer *p, const struct kiosk_board *b,
			   const char *preview_path)
{
	const struct hal_printer_ops *ops = NULL;
	struct hal_printer_config cfg;
	int rc;

	rc = hal_printer_config_from_board(b, preview_path, &cfg, &ops);
	if (rc != KIOSK_OK) {
		return rc;
	}
	return hal_printer_open(p, ops, &cfg);
}

void hal_printer_init(struct hal_printer *p)
{
	if (p != NULL) {
		memset(p, 0, sizeof(*p));
	}
}

int hal_printer_open(struct hal_printer *p, const struct hal_printer_ops *ops,
		     const struct hal_printer_config *cfg)
{
	int rc;

	if (p == NULL || ops == NULL || cfg == NULL || p->ops != NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (ops->open == NULL) {
		return KIOSK_ERR_NOT_SUPPORTED;
	}
	hal_printer_init(p);
	if (ops->priv_size > 0) {
		p->priv = calloc(1, ops->priv_size);
		if (p->priv == NULL) {
			return KIOSK_ERR_NO_MEMORY;
		}
	}
	p->ops = ops;
	p->timeout_ms = cfg->timeout_ms != 0 ? cfg->timeout_ms : HAL_PRINTER_DEFAULT_TIMEOUT_MS;
	rc = ops->open(p->priv, cfg);
	if (rc != 0) {
		hal_printer_close(p);
	}
	return rc;
}

void hal_printer_close(struct hal_printer *p)
{
	if (p == NULL || p->ops == NULL) {
		return;
	}
	if (p->ops->close != NULL) {
		p->ops->close(p->priv);
	}
	if (p->priv != NULL) {
		mbedtls_platform_zeroize(p->priv, p->ops->priv_size);
		free(p->priv);
	}
	mbedtls_platform_zeroize(p, sizeof(*p));
}

int hal_printer_status(struct hal_printer *p, struct hal_printer_status *st)
{
	if (st != NULL) {
		memset(st, 0, sizeof(*st));
	}
	if (p == NULL || p->ops == NULL || st == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (p->ops->status == NULL) {
		return KIOSK_ERR_NOT_SUPPORTED;
	}
	return p->ops->status(p->priv, st);
}

/* A PDF starts with "%PDF-": refusing anything else keeps a caller from
 * sending raw data (a PNG, a JSON with personal data) to the printer. */
static bool looks_like_pdf(const uint8_t *pdf, size_t len)
{
	return len >= 5 && memcmp(pdf, "%PDF-", 5) == 0;
}

int hal_printer_print_pdf(struct hal_printer *p, const uint8_t *pdf, size_t len,
			  const char *job_name, unsigned timeout_ms)
{
	int rc;

	if (p == NULL || p->ops == NULL || pdf == NULL || !looks_like_pdf(pdf, len)) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (job_name == NULL) {
		job_name = HAL_PRINTER_DEFAULT_JOB_NAME;
	}
	if (!hal_printer_job_name_ok(job_name)) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (p->ops->print_pdf == NULL) {
		return KIOSK_ERR_NOT_SUPPORTED;
	}
	rc = p->ops->print_pdf(p->priv, pdf, len, job_name,
			       timeout_ms != 0 ? timeout_ms : p->timeout_ms);
	if (rc == 0) {
		p->jobs++;
	}
	return rc;
}

bool hal_printer_job_name_ok(const char *name)
{
	size_t n;

	if (name == NULL) {
		return false;
	}
	n = strlen(name);
	if (n == 0 || n > HAL_PRINTER_JOB_NAME_MAX) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || c == '-' || c == '_')) {
			return false;
		}
	}
	return true;
}

struct reason_map {
	const char *keyword; /* without suffix */
	int err;
};

/* Listed in priority order for hal_printer_reasons_err(): what staff must fix
 * first comes first (a jam hides whether paper is left). */
static const struct reason_map reason_table[] = {
	{ "media-jam", KIOSK_ERR_MEDIA_JAM },
	{ "door-open", KIOSK_ERR_DOOR_OPEN },
	{ "cover-open", KIOSK_ERR_DOOR_OPEN },
	{ "interlock-open", KIOSK_ERR_DOOR_OPEN },
	{ "media-empty", KIOSK_ERR_MEDIA_EMPTY },
	{ "media-needed", KIOSK_ERR_MEDIA_EMPTY },
	{ "toner-empty", KIOSK_ERR_TONER_EMPTY },
	{ "marker-supply-empty", KIOSK_ERR_TONER_EMPTY },
	{ "offline", KIOSK_ERR_PRINTER_OFFLINE },
	{ "shutdown", KIOSK_ERR_PRINTER_OFFLINE },
	{ "paused", KIOSK_ERR_PRINTER_OFFLINE },
	{ "moving-to-paused", KIOSK_ERR_PRINTER_OFFLINE },
};

#define REASON_COUNT (sizeof(reason_table) / sizeof(reason_table[0]))

/* Index in reason_table of @keyword (suffix stripped), or REASON_COUNT. */
static size_t reason_index(const char *keyword)
{
	static const char *const suffixes[] = { "-error", "-warning", "-report" };
	size_t n;

	if (keyword == NULL) {
		return REASON_COUNT;
	}
	n = strlen(keyword);
	for (size_t s = 0; s < sizeof(suffixes) / sizeof(suffixes[0]); s++) {
		size_t sl = strlen(suffixes[s]);

		if (n > sl && strcmp(keyword + n - sl, suffixes[s]) == 0) {
			n -= sl;
			break;
		}
	}
	for (size_t i = 0; i < REASON_COUNT; i++) {
		if (strlen(reason_table[i].keyword) == n &&
		    strncmp(reason_table[i].keyword, keyword, n) == 0) {
			return i;
		}
	}
	return REASON_COUNT;
}

int hal_printer_reason_err(const char *keyword)
{
	size_t i = reason_index(keyword);

	return i < REASON_COUNT ? reason_table[i].err : 0;
}

int hal_printer_reasons_err(const char *const *keywords, size_t n)
{
	size_t best = REASON_COUNT;

	if (keywords == NULL) {
		return 0;
	}
	for (size_t k = 0; k < n; k++) {
		size_t i = reason_index(keywords[k]);

		if (i < best) {
			best = i;
		}
	}
	return best < REASON_COUNT ? reason_table[best].err : 0;
}

static const char *state_name(int state)
{
	switch (state) {
	case 3:
		return "idle";
	case 4:
		return "processing";
	case 5:
		return "stopped";
	default:
		return "unknown";
	}
}

/* Append to buf[*pos..cap); false when it does not fit. */
static bool put(char *buf, size_t cap, size_t *pos, const char *s, size_t n)
{
	if (n >= cap - *pos) {
		return false;
	}
	memcpy(buf + *pos, s, n);
	*pos += n;
	buf[*pos] = '\0';
	return true;
}

static bool put_str(char *buf, size_t cap, size_t *pos, const char *s)
{
	return put(buf, cap, pos, s, strlen(s));
}

int hal_printer_status_json(const struct hal_printer_status *st, char *buf, size_t cap)
{
	char head[160];
	const char *r;
	size_t pos = 0;
	bool ok;
	bool first = true;
	int n;

	if (st == NULL || buf == NULL || cap == 0) {
		return KIOSK_ERR_INVALID_ARG;
	}
	buf[0] = '\0';
	n = snprintf(head, sizeof(head),
		     "{\"reachable\":%s,\"ready\":%s,\"state\":\"%s\",\"error\":\"%s\","
		     "\"reasons\":[",
		     st->reachable ? "true" : "false", st->ready ? "true" : "false",
		     state_name(st->state), kiosk_err_name(st->err));
	if (n < 0 || (size_t)n >= sizeof(head)) {
		return KIOSK_ERR_INTERNAL;
	}
	ok = put_str(buf, cap, &pos, head);
	/* Keywords are printer-side tokens; keep only [a-z0-9-] so the JSON
	 * stays valid whatever a printer sends. */
	r = st->reasons;
	while (ok && *r != '\0') {
		size_t len = strcspn(r, ",");

		if (len > 0) {
			ok = put_str(buf, cap, &pos, first ? "\"" : ",\"");
			for (size_t i = 0; ok && i < len; i++) {
				char c = r[i];

				if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') {
					ok = put(buf, cap, &pos, &c, 1);
				}
			}
			ok = ok && put_str(buf, cap, &pos, "\"");
			first = false;
		}
		r += len;
		if (*r == ',') {
			r++;
		}
	}
	ok = ok && put_str(buf, cap, &pos, "]}");
	if (!ok) {
		buf[0] = '\0';
		return KIOSK_ERR_BUFFER_TOO_SMALL;
	}
	return KIOSK_OK;
}
