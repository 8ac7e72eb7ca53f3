/* SPDX-License-Identifier: MIT */
#ifndef KIOSK_PRINT_STEP_H
#define KIOSK_PRINT_STEP_H

#include <stdbool.h>
#include <stddef.h>

#include "kiosk/board.h"
#include "kiosk/certificate.h"

/*
 * The print step of an issuance (kioskctl certificate fetch and the kiosk):
 * render the verified certificate in memory and hand the PDF to the board's
 * printer (IPP, streamed, no spooler), and/or on a simulated board write
 * <stem>.pdf and <stem>.png to the folder the operator named.
 */
struct print_step_opts {
	bool print;                   /* send the PDF to the board's printer */
	const char *preview_dir;      /* simulated board: write <stem>.pdf/.png here */
	const char *preview_stem;     /* file name without extension; NULL = "certificate"
				       * (never anything personal: a fixed word or a counter) */
	bool keep_fonts;              /* a long-running kiosk keeps the fonts loaded */
	const char *municipality_name;    /* public data from the center's list; may be NULL */
	const char *municipality_name_en;
};

/**
 * Render @c (verified) and print it and/or write the preview. Everything
 * rendered lives in wiped memory and is gone when this returns.
 * @return 0; KIOSK_ERR_REFUSED (preview on a production board); a render error
 *         (e.g. KIOSK_ERR_GLYPH_MISSING); a printer error.
 */
int print_step_run(const struct kiosk_board *b, const struct kiosk_certificate *c,
		   const char *vdsnc, size_t vdsnc_len, const struct print_step_opts *po);

#endif /* KIOSK_PRINT_STEP_H */
