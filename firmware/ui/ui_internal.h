/* SPDX-License-Identifier: MIT */
/* kiosk_ui internals shared by screen_text.c, draw.c and the unit test. */
#ifndef KIOSK_UI_INTERNAL_H
#define KIOSK_UI_INTERNAL_H

#include <stddef.h>

#include "kiosk/ui.h"

/* What one draw noticed about its own text (tests assert both are zero). */
struct kiosk_ui_stats {
	unsigned texts;          /* layouts drawn */
	unsigned unknown_glyphs; /* glyphs no installed font has (static texts, labels) */
	unsigned overflow;       /* fixed texts that did not fit their box */
};

/** kiosk_ui_draw() that also fills @st (may be NULL). */
int kiosk_ui_draw_stats(cairo_t *cr, int w, int h, const struct kiosk_screen *s,
			struct hal_display_region *regions, size_t cap, size_t *n,
			struct kiosk_ui_stats *st);

/* Fixed strings the drawing adds to a screen (all text lives in screen_text.c). */
enum kiosk_ui_text {
	KIOSK_UI_TEXT_NAME = 0,   /* confirmation: label of the name */
	KIOSK_UI_TEXT_BIRTH,      /* confirmation: label of the birth date */
	KIOSK_UI_TEXT_COUNT
};

const char *kiosk_ui_text(enum kiosk_ui_text t, enum kiosk_lang lang);

/** "あと 12 秒で最初の画面に戻ります" / "Returning to start in 12 s". */
void kiosk_ui_countdown_text(enum kiosk_lang lang, unsigned seconds, char *buf, size_t cap);

/**
 * YYYY-MM-DD as a resident reads it ("1985年4月12日", "12 April 1985").
 * @return 0, or KIOSK_ERR_INVALID_ARG when @ymd is not a plausible date.
 */
int kiosk_ui_format_birth(enum kiosk_lang lang, const char *ymd, char *buf, size_t cap);

#endif /* KIOSK_UI_INTERNAL_H */
