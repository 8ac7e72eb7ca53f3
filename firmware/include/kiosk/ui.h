/* SPDX-License-Identifier: MIT */
/*
 * The kiosk's screens: what each one says (kiosk_screen_build, Japanese and
 * English, from the flow's view) and how it looks (kiosk_ui_draw, cairo and
 * pango, the same stack as the certificate page). Pixel displays get the
 * drawn frame and the button regions for touch.
 */
#ifndef KIOSK_UI_H
#define KIOSK_UI_H

#include <stdbool.h>
#include <stddef.h>

#include <cairo.h>

#include "hal/display.h"
#include "kiosk/center.h"
#include "kiosk/msg.h"
#include "kiosk/screen.h"

#define KIOSK_UI_MUNIS_PER_PAGE 8

/* What the flow knows that a screen may show. No copies of personal data:
 * holder_* point into the vault (confirmation screen only). */
struct kiosk_view {
	enum kiosk_screen_id id;
	enum kiosk_lang lang;
	enum center_cert_type type;
	const struct center_municipality *munis; /* participating ones (with overseas
						   * support when type is overseas) */
	size_t n_munis;
	size_t page;                 /* municipality page, 0-based */
	bool pinpad;                 /* PIN typed on the reader's own keypad */
	unsigned pin_digits;         /* digits typed so far (on-screen keypad) */
	int tries_left;              /* -1 unknown */
	bool pin_was_wrong;          /* the last PIN was wrong: say so, show tries left */
	enum kiosk_msg_id message;   /* message screen: what happened */
	const char *holder_name;     /* confirmation: "family given" (vault) */
	const char *holder_birth_date; /* confirmation: YYYY-MM-DD (vault) */
	unsigned seconds_left;       /* inactivity countdown, 0 = hide */
};

/** Fill @s for @v (texts in v->lang; idle and language screens bilingual). */
void kiosk_screen_build(struct kiosk_screen *s, const struct kiosk_view *v);

/** Load the fonts once at start-up (the first draw is then not slower). */
int kiosk_ui_warm_up(void);
/** At exit: release the fonts and the process-wide font caches (pango's default
 *  font map, which the certificate page uses too, cairo's static data,
 *  fontconfig), so leak checkers see no residue. */
void kiosk_ui_shutdown(void);

/**
 * Draw @s onto @cr, a @w x @h surface, and put each button's rectangle in
 * @regions (at most @cap; *@n set). A name the font cannot show is drawn as
 * "＊＊" rather than wrong glyphs and makes this return KIOSK_ERR_GLYPH_MISSING
 * (the frame is still complete).
 * @return 0, KIOSK_ERR_GLYPH_MISSING, or KIOSK_ERR_RENDER.
 */
int kiosk_ui_draw(cairo_t *cr, int w, int h, const struct kiosk_screen *s,
		  struct hal_display_region *regions, size_t cap, size_t *n);

/* A reusable frame: an ARGB32 image surface of the display's size. */
struct kiosk_ui_frame {
	cairo_surface_t *surface;
	struct hal_display_region regions[HAL_DISPLAY_REGIONS_MAX];
	struct hal_display_frame frame; /* what hal_display_present() takes */
};

int kiosk_ui_frame_setup(struct kiosk_ui_frame *f, int w, int h);
/** Draw @s into the frame (clearing what was there). Same returns as kiosk_ui_draw. */
int kiosk_ui_frame_draw(struct kiosk_ui_frame *f, const struct kiosk_screen *s);
/** Write the frame as PNG (screenshots, tests). @return 0 or KIOSK_ERR_IO. */
int kiosk_ui_frame_write_png(const struct kiosk_ui_frame *f, const char *path);
/** Wipe the pixels (the confirmation screen showed a name) and free. NULL-safe. */
void kiosk_ui_frame_free(struct kiosk_ui_frame *f);

#endif /* KIOSK_UI_H */
