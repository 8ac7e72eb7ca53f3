/* SPDX-License-Identifier: MIT */
#ifndef KIOSKCTL_PRINT_STEP_H
#define KIOSKCTL_PRINT_STEP_H

#include <stdbool.h>
#include <stddef.h>

#include "kiosk/board.h"
#include "kiosk/certificate.h"

struct print_step_opts {
	bool print;                   /* send the PDF to the board's printer */
	const char *preview_dir;      /* simulated board: write certificate.pdf/.png here */
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

#endif /* KIOSKCTL_PRINT_STEP_H */
