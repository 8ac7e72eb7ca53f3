/* SPDX-License-Identifier: MIT */
/*
 * ipp backend: an IPP Everywhere printer spoken to directly with libcups' IPP
 * API. No CUPS scheduler and no spool file: the PDF goes from the caller's
 * buffer into the Print-Job request body in chunks (cupsSendRequest +
 * cupsWriteRequestData), so no copy of the certificate exists on the kiosk's
 * disk.
 *
 * Every wait is bounded: httpConnect2 gets a connect timeout, httpSetTimeout
 * bounds each read and write, and the job as a whole has a deadline after
 * which it is cancelled (a certificate must never come out later, when the
 * resident has gone). libcups adds one fixed wait of its own, at most 1 s per
 * request, for the server's "100 Continue"; a silent printer thus costs the
 * exchange bound + 1 s before KIOSK_ERR_PRINTER_TIMEOUT. After a failure, the
 * cancel gets its own budget (2 s connect + 2 s request at most).
 *
 * Before the document is sent, the printer's state is checked: a certificate
 * is not sent into a jammed or empty printer.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cups/cups.h>
#include <cups/http.h>
#include <cups/ipp.h>

#include "kiosk/clock.h"
#include "hal/printer.h"
#include "kiosk/err.h"

#define IPP_URI_MAX 1024
#define IPP_HOST_MAX 256
#define IPP_CHUNK 16384u
#define IPP_USER "kiosk"
#define IPP_CANCEL_BUDGET_MS 2000u
#define IPP_POLL_FIRST_MS 100u
#define IPP_POLL_MAX_MS 500u
#define IPP_MAX_REASONS 16

struct ipp_priv {
	char uri[IPP_URI_MAX];
	char host[IPP_HOST_MAX];
	char resource[IPP_URI_MAX];
	int port;
	http_encryption_t encryption;
	bool media_a4;
	unsigned exchange_ms; /* min(HAL_PRINTER_EXCHANGE_TIMEOUT_MS, the config's timeout) */
};

static unsigned remaining_ms(uint64_t deadline)
{
	uint64_t now = kiosk_now_ms();

	return now >= deadline ? 0 : (unsigned)(deadline - now);
}

static unsigned min_u(unsigned a, unsigned b)
{
	return a < b ? a : b;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000u, .tv_nsec = (long)(ms % 1000u) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
	}
}

static int ipp_open(void *priv, const struct hal_printer_config *cfg)
{
	struct ipp_priv *ip = priv;
	char scheme[16];
	char userpass[64];
	http_uri_status_t us;
	int n;

	if (cfg->uri == NULL || cfg->uri[0] == '\0') {
		return KIOSK_ERR_CONFIG;
	}
	n = snprintf(ip->uri, sizeof(ip->uri), "%s", cfg->uri);
	if (n < 0 || (size_t)n >= sizeof(ip->uri)) {
		return KIOSK_ERR_CONFIG;
	}
	us = httpSeparateURI(HTTP_URI_CODING_ALL, ip->uri, scheme, sizeof(scheme), userpass,
			     sizeof(userpass), ip->host, sizeof(ip->host), &ip->port,
			     ip->resource, sizeof(ip->resource));
	if (us < HTTP_URI_STATUS_OK || ip->host[0] == '\0') {
		return KIOSK_ERR_CONFIG;
	}
	if (strcmp(scheme, "ipp") == 0) {
		ip->encryption = HTTP_ENCRYPTION_IF_REQUESTED;
	} else if (strcmp(scheme, "ipps") == 0) {
		ip->encryption = HTTP_ENCRYPTION_ALWAYS;
	} else {
		return KIOSK_ERR_CONFIG;
	}
	ip->exchange_ms = cfg->timeout_ms != 0 ? cfg->timeout_ms : HAL_PRINTER_DEFAULT_TIMEOUT_MS;
	ip->exchange_ms = min_u(HAL_PRINTER_EXCHANGE_TIMEOUT_MS, ip->exchange_ms);
	if (userpass[0] != '\0') {
		/* No credentials in a board file. */
		return KIOSK_ERR_CONFIG;
	}
	if (cfg->paper != NULL) {
		if (strcmp(cfg->paper, "a4") != 0) {
			return KIOSK_ERR_CONFIG;
		}
		ip->media_a4 = true;
	}
	return KIOSK_OK;
}

static void ipp_close(void *priv)
{
	(void)priv;
}

/* Connect within @ms. NULL with *err set on failure. */
static http_t *ipp_connect(const struct ipp_priv *ip, unsigned ms, int *err)
{
	uint64_t t0 = kiosk_now_ms();
	http_t *http;

	http = httpConnect2(ip->host, ip->port, NULL, AF_UNSPEC, ip->encryption, 1, (int)ms,
			    NULL);
	if (http == NULL) {
		/* libcups reports a refused and a timed-out connect alike; the
		 * elapsed time tells them apart. */
		*err = (errno == ETIMEDOUT || kiosk_now_ms() - t0 + 50 >= ms) ?
			       KIOSK_ERR_PRINTER_TIMEOUT :
			       KIOSK_ERR_PRINTER_UNREACHABLE;
		return NULL;
	}
	return http;
}

static void ipp_set_timeout(http_t *http, unsigned ms)
{
	/* NULL callback: a read or write that waits longer fails the exchange. */
	httpSetTimeout(http, ms > 0 ? (double)ms / 1000.0 : 0.001, NULL, NULL);
}

/* After a failed exchange: did it run out of time, or lose the printer? */
static int exchange_err(uint64_t started, unsigned budget_ms)
{
	return kiosk_now_ms() - started + 50 >= budget_ms ? KIOSK_ERR_PRINTER_TIMEOUT :
						      KIOSK_ERR_PRINTER_UNREACHABLE;
}

static ipp_t *new_request(const struct ipp_priv *ip, ipp_op_t op)
{
	ipp_t *req = ippNewRequest(op);

	if (req != NULL) {
		ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, ip->uri);
		ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL,
			     IPP_USER);
	}
	return req;
}

/* Fill @st from a Get-Printer-Attributes answer. */
static void fill_status(ipp_t *resp, struct hal_printer_status *st)
{
	const char *kw[IPP_MAX_REASONS];
	ipp_attribute_t *a;
	size_t nkw = 0;
	size_t pos = 0;
	bool accepting = true;

	st->reachable = true;
	a = ippFindAttribute(resp, "printer-state", IPP_TAG_ENUM);
	st->state = a != NULL ? ippGetInteger(a, 0) : 0;
	a = ippFindAttribute(resp, "printer-is-accepting-jobs", IPP_TAG_BOOLEAN);
	if (a != NULL) {
		accepting = ippGetBoolean(a, 0) != 0;
	}
	a = ippFindAttribute(resp, "printer-state-reasons", IPP_TAG_KEYWORD);
	for (int i = 0; a != NULL && i < ippGetCount(a); i++) {
		const char *r = ippGetString(a, i, NULL);
		size_t rl;

		if (r == NULL) {
			continue;
		}
		if (nkw < IPP_MAX_REASONS) {
			kw[nkw++] = r;
		}
		rl = strlen(r);
		/* Joined for technicians; truncated at a whole keyword. */
		if (pos + rl + 2 <= sizeof(st->reasons)) {
			if (pos > 0) {
				st->reasons[pos++] = ',';
			}
			memcpy(st->reasons + pos, r, rl);
			pos += rl;
			st->reasons[pos] = '\0';
		}
	}
	st->err = hal_printer_reasons_err(kw, nkw);
	if (st->err == KIOSK_OK && (st->state == IPP_PSTATE_STOPPED || !accepting)) {
		st->err = KIOSK_ERR_PRINTER_OFFLINE;
	}
	st->ready = st->err == KIOSK_OK;
}

static int query_status(const struct ipp_priv *ip, http_t *http, unsigned budget_ms,
			struct hal_printer_status *st)
{
	static const char *const attrs[] = { "printer-state", "printer-state-reasons",
					     "printer-is-accepting-jobs" };
	uint64_t t0 = kiosk_now_ms();
	ipp_t *req;
	ipp_t *resp;
	int rc;

	memset(st, 0, sizeof(*st));
	req = new_request(ip, IPP_OP_GET_PRINTER_ATTRIBUTES);
	if (req == NULL) {
		return KIOSK_ERR_NO_MEMORY;
	}
	ippAddStrings(req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
		      (int)(sizeof(attrs) / sizeof(attrs[0])), NULL, attrs);
	ipp_set_timeout(http, budget_ms);
	resp = cupsDoRequest(http, req, ip->resource); /* frees req */
	if (resp == NULL) {
		return exchange_err(t0, budget_ms);
	}
	if (ippGetStatusCode(resp) > IPP_STATUS_OK_EVENTS_COMPLETE) {
		/* It answered, but not as a printer. */
		st->reachable = true;
		st->err = KIOSK_ERR_PRINTER_OFFLINE;
		rc = KIOSK_OK;
		goto out;
	}
	fill_status(resp, st);
	rc = KIOSK_OK;
out:
	ippDelete(resp);
	return rc;
}

static int ipp_status(void *priv, struct hal_printer_status *st)
{
	const struct ipp_priv *ip = priv;
	http_t *http;
	int rc = KIOSK_OK;

	http = ipp_connect(ip, ip->exchange_ms, &rc);
	if (http == NULL) {
		st->err = rc;
		return rc;
	}
	rc = query_status(ip, http, ip->exchange_ms, st);
	if (rc != KIOSK_OK) {
		st->err = rc;
	}
	httpClose(http);
	return rc;
}

/* Send Print-Job with the document streamed from @pdf; *job_id on success. */
static int send_job(const struct ipp_priv *ip, http_t *http, const uint8_t *pdf, size_t len,
		    const char *job_name, unsigned budget_ms, int *job_id)
{
	uint64_t t0 = kiosk_now_ms();
	http_status_t hs;
	ipp_t *req;
	ipp_t *resp = NULL;
	ipp_attribute_t *a;
	ipp_status_t is;
	size_t off = 0;
	int rc;

	req = new_request(ip, IPP_OP_PRINT_JOB);
	if (req == NULL) {
		return KIOSK_ERR_NO_MEMORY;
	}
	ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_NAME, "job-name", NULL, job_name);
	ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_MIMETYPE, "document-format", NULL,
		     "application/pdf");
	if (ip->media_a4) {
		ippAddString(req, IPP_TAG_JOB, IPP_TAG_KEYWORD, "media", NULL,
			     "iso_a4_210x297mm");
	}
	ipp_set_timeout(http, budget_ms);
	/* The Content-Length covers the IPP message and the document. */
	hs = cupsSendRequest(http, req, ip->resource, ippLength(req) + len);
	while (hs == HTTP_STATUS_CONTINUE && off < len) {
		size_t n = len - off > IPP_CHUNK ? IPP_CHUNK : len - off;

		hs = cupsWriteRequestData(http, (const char *)pdf + off, n);
		off += n;
	}
	if (hs != HTTP_STATUS_CONTINUE) {
		rc = exchange_err(t0, budget_ms);
		goto out;
	}
	resp = cupsGetResponse(http, ip->resource);
	if (resp == NULL) {
		is = cupsLastError();
		rc = is == IPP_STATUS_ERROR_SERVICE_UNAVAILABLE || is == IPP_STATUS_ERROR_INTERNAL ?
			     exchange_err(t0, budget_ms) :
			     KIOSK_ERR_JOB_FAILED;
		goto out;
	}
	is = ippGetStatusCode(resp);
	if (is > IPP_STATUS_OK_EVENTS_COMPLETE) {
		rc = is == IPP_STATUS_ERROR_NOT_ACCEPTING_JOBS ? KIOSK_ERR_PRINTER_OFFLINE :
								  KIOSK_ERR_JOB_FAILED;
		goto out;
	}
	a = ippFindAttribute(resp, "job-id", IPP_TAG_INTEGER);
	if (a == NULL || ippGetInteger(a, 0) <= 0) {
		rc = KIOSK_ERR_JOB_FAILED;
		goto out;
	}
	*job_id = ippGetInteger(a, 0);
	rc = KIOSK_OK;
out:
	ippDelete(resp);
	ippDelete(req);
	return rc;
}

/* One Get-Job-Attributes: *state (ipp_jstate_t) or an error. */
static int job_state(const struct ipp_priv *ip, http_t *http, int job_id, unsigned budget_ms,
		     int *state)
{
	static const char *const attrs[] = { "job-state", "job-state-reasons" };
	uint64_t t0 = kiosk_now_ms();
	ipp_attribute_t *a;
	ipp_t *req;
	ipp_t *resp;
	int rc;

	req = new_request(ip, IPP_OP_GET_JOB_ATTRIBUTES);
	if (req == NULL) {
		return KIOSK_ERR_NO_MEMORY;
	}
	ippAddInteger(req, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", job_id);
	ippAddStrings(req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
		      (int)(sizeof(attrs) / sizeof(attrs[0])), NULL, attrs);
	ipp_set_timeout(http, budget_ms);
	resp = cupsDoRequest(http, req, ip->resource);
	if (resp == NULL) {
		return exchange_err(t0, budget_ms);
	}
	a = ippFindAttribute(resp, "job-state", IPP_TAG_ENUM);
	if (ippGetStatusCode(resp) > IPP_STATUS_OK_EVENTS_COMPLETE || a == NULL) {
		/* The printer forgot the job: it did not complete. */
		rc = KIOSK_ERR_JOB_FAILED;
		goto out;
	}
	*state = ippGetInteger(a, 0);
	rc = KIOSK_OK;
out:
	ippDelete(resp);
	return rc;
}

static void cancel_job(const struct ipp_priv *ip, int job_id)
{
	http_t *http;
	ipp_t *req;
	int err = 0;

	/* A fresh connection: the job's one may be the reason we gave up. */
	http = ipp_connect(ip, IPP_CANCEL_BUDGET_MS, &err);
	if (http == NULL) {
		return;
	}
	req = new_request(ip, IPP_OP_CANCEL_JOB);
	if (req != NULL) {
		ippAddInteger(req, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", job_id);
		ipp_set_timeout(http, IPP_CANCEL_BUDGET_MS);
		ippDelete(cupsDoRequest(http, req, ip->resource));
	}
	httpClose(http);
}

/* Why a job did not complete: the printer's blocking reason, else @fallback. */
static int printer_reason(const struct ipp_priv *ip, http_t *http, uint64_t deadline,
			  int fallback)
{
	struct hal_printer_status st;
	unsigned budget = min_u(ip->exchange_ms,
				remaining_ms(deadline) > 0 ? remaining_ms(deadline) :
							     IPP_CANCEL_BUDGET_MS);

	if (query_status(ip, http, budget, &st) == KIOSK_OK && st.err != KIOSK_OK) {
		return st.err;
	}
	return fallback;
}

static int ipp_print_pdf(void *priv, const uint8_t *pdf, size_t len, const char *job_name,
			 unsigned timeout_ms)
{
	const struct ipp_priv *ip = priv;
	struct hal_printer_status st;
	uint64_t deadline = kiosk_now_ms() + timeout_ms;
	unsigned poll = IPP_POLL_FIRST_MS;
	http_t *http;
	int job_id = 0;
	int state = 0;
	int rc = KIOSK_OK;

	http = ipp_connect(ip, min_u(ip->exchange_ms, timeout_ms), &rc);
	if (http == NULL) {
		return rc;
	}
	rc = query_status(ip, http, min_u(ip->exchange_ms, remaining_ms(deadline)),
			  &st);
	if (rc != KIOSK_OK) {
		goto out;
	}
	if (st.err != KIOSK_OK) {
		/* Not sent: the certificate stays in memory until the printer is fixed. */
		rc = st.err;
		goto out;
	}
	rc = send_job(ip, http, pdf, len, job_name,
		      min_u(ip->exchange_ms, remaining_ms(deadline)), &job_id);
	if (rc == KIOSK_ERR_JOB_FAILED || rc == KIOSK_ERR_PRINTER_OFFLINE) {
		rc = printer_reason(ip, http, deadline, rc);
	}
	if (rc != KIOSK_OK) {
		goto out;
	}
	for (;;) {
		unsigned left = remaining_ms(deadline);

		if (left == 0) {
			rc = printer_reason(ip, http, deadline, KIOSK_ERR_PRINTER_TIMEOUT);
			goto out;
		}
		rc = job_state(ip, http, job_id, min_u(ip->exchange_ms, left),
			       &state);
		if (rc != KIOSK_OK) {
			goto out;
		}
		if (state == IPP_JSTATE_COMPLETED) {
			rc = KIOSK_OK;
			goto out;
		}
		if (state == IPP_JSTATE_ABORTED || state == IPP_JSTATE_CANCELED) {
			rc = printer_reason(ip, http, deadline, KIOSK_ERR_JOB_FAILED);
			goto out;
		}
		if (state == IPP_JSTATE_STOPPED) {
			/* processing-stopped: the printer says why. */
			rc = printer_reason(ip, http, deadline, KIOSK_OK);
			if (rc != KIOSK_OK) {
				goto out;
			}
		}
		sleep_ms(min_u(poll, remaining_ms(deadline)));
		poll = min_u(poll * 2, IPP_POLL_MAX_MS);
	}
out:
	httpClose(http);
	if (rc != KIOSK_OK && job_id > 0 && state != IPP_JSTATE_ABORTED &&
	    state != IPP_JSTATE_CANCELED) {
		cancel_job(ip, job_id);
	}
	return rc;
}

const struct hal_printer_ops hal_printer_ipp = {
	"ipp",                   /* name */
	sizeof(struct ipp_priv), /* priv_size */
	ipp_open,                /* open */
	ipp_close,               /* close */
	ipp_status,              /* status */
	ipp_print_pdf,           /* print_pdf */
};
