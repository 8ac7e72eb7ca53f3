/* SPDX-License-Identifier: MIT */
/*
 * The print step (kiosk/print_step.h). The preview files are the only file
 * output there is, and never on a production board.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hal/printer.h"
#include "kiosk/err.h"
#include "kiosk/io.h"
#include "kiosk/render.h"
#include "kiosk/print_step.h"

#define PREVIEW_PNG_DPI 150

/* The board's forced QR error-correction level, if any. */
static enum render_ecc ecc_of(char level)
{
	switch (level) {
	case 'L':
		return RENDER_ECC_L;
	case 'M':
		return RENDER_ECC_M;
	case 'Q':
		return RENDER_ECC_Q;
	case 'H':
		return RENDER_ECC_H;
	default:
		return RENDER_ECC_AUTO;
	}
}

static int write_file(const char *path, const uint8_t *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0) {
		return KIOSK_ERR_IO;
	}
	if (kiosk_write_all(fd, data, len) != 0) {
		close(fd);
		unlink(path);
		return KIOSK_ERR_IO;
	}
	return close(fd) == 0 ? 0 : KIOSK_ERR_IO;
}

int print_step_run(const struct kiosk_board *b, const struct kiosk_certificate *c,
		   const char *vdsnc, size_t vdsnc_len, const struct print_step_opts *po)
{
	char pdf_path[PATH_MAX], png_path[PATH_MAX];
	const char *stem = po->preview_stem != NULL ? po->preview_stem : "certificate";
	struct render_opts ro;
	struct render_buf pdf, png;
	struct hal_printer printer;
	int rc;

	if (po->preview_dir != NULL && b->production) {
		return KIOSK_ERR_REFUSED;
	}
	if (po->preview_dir != NULL &&
	    ((size_t)snprintf(pdf_path, sizeof(pdf_path), "%s/%s.pdf", po->preview_dir, stem) >=
		     sizeof(pdf_path) ||
	     (size_t)snprintf(png_path, sizeof(png_path), "%s/%s.png", po->preview_dir, stem) >=
		     sizeof(png_path))) {
		return KIOSK_ERR_INVALID_ARG;
	}
	render_opts_init(&ro);
	ro.municipality_name = po->municipality_name;
	ro.municipality_name_en = po->municipality_name_en;
	ro.printer_dpi = b->printer_dpi;
	ro.shc_ecc = ecc_of(b->shc_qr_ecc);
	ro.vdsnc_ecc = ecc_of(b->vdsnc_qr_ecc);
	render_buf_init(&pdf);
	render_buf_init(&png);
	hal_printer_init(&printer);
	rc = render_certificate_pdf(c, vdsnc, vdsnc_len, &ro, &pdf);
	if (rc == 0 && po->preview_dir != NULL) {
		rc = render_certificate_png(c, vdsnc, vdsnc_len, &ro, PREVIEW_PNG_DPI, &png);
		if (rc == 0) {
			rc = write_file(png_path, png.data, png.len);
		}
	}
	if (rc == 0 && (po->print || po->preview_dir != NULL)) {
		rc = hal_printer_open_board(&printer, b, po->preview_dir ? pdf_path : NULL);
		if (rc == 0) {
			rc = hal_printer_print_pdf(&printer, pdf.data, pdf.len, "certificate", 0);
		}
	}
	hal_printer_close(&printer);
	render_buf_free(&png);
	render_buf_free(&pdf);
	/* kioskctl renders once per run: drop the font caches (and what they hold). */
	if (!po->keep_fonts) {
		render_shutdown();
	}
	return rc;
}
