/* SPDX-License-Identifier: MIT */
/*
 * preview backend: the simulated board's "printer". It writes the PDF to the
 * one path the operator gave (kioskctl --preview-out) and nowhere else. A
 * production board never writes a certificate to disk, so open refuses there,
 * and print checks again in case the context was built by hand.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kiosk/io.h"
#include "hal/printer.h"
#include "kiosk/err.h"

struct preview_priv {
	char path[PATH_MAX];
	bool production;
};

static int preview_open(void *priv, const struct hal_printer_config *cfg)
{
	struct preview_priv *pp = priv;
	int n;

	if (cfg->production) {
		return KIOSK_ERR_REFUSED;
	}
	if (cfg->preview_path == NULL || cfg->preview_path[0] == '\0') {
		return KIOSK_ERR_CONFIG;
	}
	n = snprintf(pp->path, sizeof(pp->path), "%s", cfg->preview_path);
	if (n < 0 || (size_t)n >= sizeof(pp->path)) {
		return KIOSK_ERR_CONFIG;
	}
	pp->production = cfg->production;
	return KIOSK_OK;
}

static void preview_close(void *priv)
{
	(void)priv;
}

static int preview_status(void *priv, struct hal_printer_status *st)
{
	(void)priv;
	st->reachable = true;
	st->ready = true;
	st->state = 3; /* idle */
	st->err = KIOSK_OK;
	snprintf(st->reasons, sizeof(st->reasons), "none");
	return KIOSK_OK;
}

static int preview_print_pdf(void *priv, const uint8_t *pdf, size_t len, const char *job_name,
			     unsigned timeout_ms)
{
	struct preview_priv *pp = priv;
	int rc = KIOSK_OK;
	int fd;

	(void)job_name;
	(void)timeout_ms;
	if (pp->production) {
		return KIOSK_ERR_REFUSED;
	}
	/* Owner-only, never through a symlink someone planted at the path. */
	fd = open(pp->path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		return KIOSK_ERR_IO;
	}
	rc = kiosk_write_all(fd, pdf, len);
	if (rc == KIOSK_OK && fsync(fd) != 0) {
		rc = KIOSK_ERR_IO;
	}
	if (close(fd) != 0 && rc == KIOSK_OK) {
		rc = KIOSK_ERR_IO;
	}
	if (rc != KIOSK_OK) {
		/* No half-written certificate left behind. */
		(void)unlink(pp->path);
	}
	return rc;
}

const struct hal_printer_ops hal_printer_preview = {
	"preview",                  /* name */
	sizeof(struct preview_priv), /* priv_size */
	preview_open,               /* open */
	preview_close,              /* close */
	preview_status,             /* status */
	preview_print_pdf,          /* print_pdf */
};
