/* SPDX-License-Identifier: MIT */
/*
 * Printer HAL: one small ops table per backend (hal/printer/printer_<name>.c),
 * and thin dispatch wrappers that turn a NULL op into KIOSK_ERR_NOT_SUPPORTED.
 *
 *   - ipp:     an IPP Everywhere printer driven with libcups' IPP API. Print-Job
 *              with application/pdf streamed from the caller's buffer: no file,
 *              no local spooler, so no copy of the certificate lands anywhere.
 *   - preview: the simulated board's printer; writes the PDF to one path the
 *              operator gave. Refused on production boards.
 *
 * The document is personal data: backends never log it, never copy it to a
 * file (except preview's one output) and the job name is checked to be a plain
 * word (hal_printer_job_name_ok) so nothing personal reaches the printer's
 * job history.
 */
#ifndef HAL_PRINTER_H
#define HAL_PRINTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kiosk_board;

#define HAL_PRINTER_DEFAULT_TIMEOUT_MS 60000u
/* Connect and each single IPP exchange wait at most this (or the job timeout
 * when shorter); the job as a whole waits at most its timeout. */
#define HAL_PRINTER_EXCHANGE_TIMEOUT_MS 10000u
#define HAL_PRINTER_REASONS_MAX 256
#define HAL_PRINTER_JOB_NAME_MAX 32
#define HAL_PRINTER_DEFAULT_JOB_NAME "certificate"

/** What a board tells a printer backend. Strings are borrowed for the open call. */
struct hal_printer_config {
	const char *uri;          /* ipp: ipp://host[:port]/path or ipps://...; required */
	const char *preview_path; /* preview: the file to write; required */
	bool production;          /* preview refuses to open on a production board */
	unsigned dpi;             /* informational (layout resolution); 0 = unknown */
	const char *paper;        /* "a4" or NULL: ipp sends media iso_a4_210x297mm when set */
	unsigned timeout_ms;      /* default job timeout; 0 = HAL_PRINTER_DEFAULT_TIMEOUT_MS */
};

/** Filled by status. Carries no personal data (only printer-side keywords). */
struct hal_printer_status {
	bool reachable;  /* the printer answered Get-Printer-Attributes */
	bool ready;      /* reachable, not stopped and no blocking state reason */
	int state;       /* IPP printer-state: 3 idle, 4 processing, 5 stopped; 0 unknown */
	int err;         /* KIOSK_OK when ready, else the KIOSK_ERR_* a print would meet */
	char reasons[HAL_PRINTER_REASONS_MAX]; /* printer-state-reasons, comma-joined */
};

struct hal_printer_ops {
	const char *name;
	size_t priv_size; /* the core allocates and zeroes this much private state */
	/** Check the configuration; may not wait for the printer. */
	int (*open)(void *priv, const struct hal_printer_config *cfg);
	/** Release everything; must be safe after a failed open. */
	void (*close)(void *priv);
	/** Ask the printer for its state (bounded by the exchange timeout). */
	int (*status)(void *priv, struct hal_printer_status *st);
	/** Print one PDF from memory and wait, at most @timeout_ms, for the job's end. */
	int (*print_pdf)(void *priv, const uint8_t *pdf, size_t len, const char *job_name,
			 unsigned timeout_ms);
};

struct hal_printer {
	const struct hal_printer_ops *ops;
	void *priv;
	unsigned timeout_ms; /* from the config, used when a call passes 0 */
	unsigned jobs;       /* jobs completed since open */
};

/* Backend tables, one per file under hal/printer/. */
extern const struct hal_printer_ops hal_printer_ipp;     /* IPP Everywhere, libcups */
extern const struct hal_printer_ops hal_printer_preview; /* PDF to a file (sim board) */

/** Backend by name ("ipp", "preview"); NULL when unknown. */
const struct hal_printer_ops *hal_printer_backend(const char *name);

/**
 * Fill @cfg from a loaded board. @preview_path (may be NULL) is the operator's
 * output file for the preview backend. Strings in @cfg borrow from @b and
 * @preview_path. @return 0; KIOSK_ERR_CONFIG when the board's backend is unknown
 * or the ipp backend has no URI; KIOSK_ERR_INVALID_ARG on NULL @b/@cfg.
 */
int hal_printer_config_from_board(const struct kiosk_board *b, const char *preview_path,
				  struct hal_printer_config *cfg,
				  const struct hal_printer_ops **ops);

/**
 * hal_printer_config_from_board() + hal_printer_open() in one call, for
 * kioskctl and the kiosk flow. @preview_path may be NULL (then the preview
 * backend fails with KIOSK_ERR_CONFIG). Same errors as those two.
 */
int hal_printer_open_board(struct hal_printer *p, const struct kiosk_board *b,
			   const char *preview_path);

void hal_printer_init(struct hal_printer *p);
/**
 * Open @ops with @cfg. @return 0; KIOSK_ERR_CONFIG (missing/invalid URI or
 * path), KIOSK_ERR_REFUSED (preview on a production board), KIOSK_ERR_NO_MEMORY.
 */
int hal_printer_open(struct hal_printer *p, const struct hal_printer_ops *ops,
		     const struct hal_printer_config *cfg);
/** NULL-safe, idempotent; zeroises the context. */
void hal_printer_close(struct hal_printer *p);
/**
 * Printer state for technicians (kioskctl printer status). @st is always filled
 * (reachable = false when the printer did not answer).
 * @return 0 when the printer answered (even when not ready: see st->err);
 *         KIOSK_ERR_PRINTER_UNREACHABLE / KIOSK_ERR_PRINTER_TIMEOUT otherwise.
 */
int hal_printer_status(struct hal_printer *p, struct hal_printer_status *st);
/**
 * Print @pdf (@len bytes, borrowed; not copied to any file) as job @job_name
 * (NULL = "certificate"; must pass hal_printer_job_name_ok) and wait for the
 * job to complete, at most @timeout_ms (0 = the config's timeout).
 * On a failure after the job was accepted the job is cancelled, so a
 * certificate never comes out later, unattended.
 * @return 0 when the job completed; KIOSK_ERR_PRINTER_UNREACHABLE,
 *   KIOSK_ERR_PRINTER_TIMEOUT, KIOSK_ERR_MEDIA_EMPTY, KIOSK_ERR_MEDIA_JAM,
 *   KIOSK_ERR_DOOR_OPEN, KIOSK_ERR_PRINTER_OFFLINE, KIOSK_ERR_TONER_EMPTY,
 *   KIOSK_ERR_JOB_FAILED, KIOSK_ERR_IO (preview), KIOSK_ERR_INVALID_ARG
 *   (empty document, not a PDF, job name refused).
 */
int hal_printer_print_pdf(struct hal_printer *p, const uint8_t *pdf, size_t len,
			  const char *job_name, unsigned timeout_ms);

/* --- pure helpers (unit-tested) --- */

/**
 * The KIOSK_ERR_* for one printer-state-reasons keyword, with or without its
 * -error / -warning / -report suffix: media-empty, media-needed -> MEDIA_EMPTY;
 * media-jam -> MEDIA_JAM; door-open, cover-open, interlock-open -> DOOR_OPEN;
 * offline, shutdown, paused, moving-to-paused -> PRINTER_OFFLINE; toner-empty,
 * marker-supply-empty -> TONER_EMPTY. Every other keyword ("none", media-low,
 * toner-low, ...) is not blocking: 0. Any suffix counts for the blocking ones:
 * a jam stops the kiosk's page whatever severity the printer gives it.
 */
int hal_printer_reason_err(const char *keyword);

/**
 * The most important blocking error among @n keywords (jam, door, media,
 * toner, offline, in that order), or 0 when none blocks.
 */
int hal_printer_reasons_err(const char *const *keywords, size_t n);

/** True when @name is 1..HAL_PRINTER_JOB_NAME_MAX of [a-z-_] (no digits: no ids). */
bool hal_printer_job_name_ok(const char *name);

/**
 * @st as one JSON object for kioskctl:
 * {"reachable":true,"ready":false,"state":"idle","error":"MEDIA_JAM","reasons":["media-jam-error"]}
 * @return 0; KIOSK_ERR_BUFFER_TOO_SMALL; KIOSK_ERR_INVALID_ARG.
 */
int hal_printer_status_json(const struct hal_printer_status *st, char *buf, size_t cap);

#endif /* HAL_PRINTER_H */
