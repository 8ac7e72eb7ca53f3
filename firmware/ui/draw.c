/* SPDX-License-Identifier: MIT */
/*
 * How a screen looks: a 1280 x 800 landscape reference layout, scaled
 * uniformly (and centred) onto the display, drawn with cairo and pango like
 * the certificate page. One pango context (and its font map) lives for the
 * whole process: font matching and glyph caches then survive between frames,
 * which is what keeps a frame in a few milliseconds.
 *
 * Layout, top to bottom: a title band (its colour is the tone: navy, amber for
 * "attention", red for errors), the body and the screen's own content (choice
 * buttons, the PIN keypad, the holder's details), the navigation row (back and
 * cancel on the left, the next step on the right) and a small countdown line.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <fontconfig/fontconfig.h>
#include <mbedtls/platform_util.h>
#include <pango/pangocairo.h>

#include "kiosk/err.h"
#include "ui_internal.h"

#define REF_W 1280.0
#define REF_H 800.0
#define MARGIN 64.0
#define CONTENT_W (REF_W - 2 * MARGIN)
#define NAV_Y 650.0          /* navigation row */
#define NAV_H 100.0
#define COUNTDOWN_Y 758.0    /* countdown line under the navigation row */
#define GAP 24.0

/* Font families: IPAPGothic, the font the certificate prints with, so one font
 * file is mapped for both (Noto Sans CJK's two .ttc files added 7 MiB to the
 * kiosk's resident memory); Noto only as the fallback for kanji IPA lacks. */
#define UI_FONT "IPAPGothic, Noto Sans CJK JP"
static const char *const name_fonts[] = { "IPAPGothic", "Noto Sans CJK JP" };

#define SZ_TITLE 44.0
#define SZ_TITLE_EN 30.0     /* English under a bilingual Japanese title */
#define SZ_BODY 30.0
#define SZ_BODY_EN 28.0
#define SZ_BODY_PLAIN 34.0   /* screens with only navigation: a little bigger */
#define SZ_BODY_BIG 40.0     /* screens with nothing to press: big and centred */
#define SZ_BUTTON 32.0
#define SZ_KEY 44.0
#define SZ_COUNTDOWN 24.0
#define SZ_NAME 44.0
#define SZ_LABEL 28.0

struct rgb {
	double r, g, b;
};

static const struct rgb C_BG = { 1, 1, 1 };
static const struct rgb C_TEXT = { 0.10, 0.10, 0.10 };
static const struct rgb C_TEXT_2 = { 0.25, 0.27, 0.30 };  /* English under Japanese */
static const struct rgb C_WHITE = { 1, 1, 1 };
static const struct rgb C_NAVY = { 0.12, 0.27, 0.45 };
static const struct rgb C_AMBER = { 0.96, 0.73, 0.26 };
static const struct rgb C_RED = { 0.70, 0.16, 0.14 };
static const struct rgb C_PRIMARY = { 0.09, 0.45, 0.26 }; /* calm green: "go on" */
static const struct rgb C_CHOICE_BG = { 0.92, 0.95, 0.98 };
static const struct rgb C_KEY_BG = { 0.95, 0.95, 0.96 };
static const struct rgb C_BORDER = { 0.40, 0.44, 0.50 };
static const struct rgb C_PANEL = { 0.96, 0.97, 0.98 };
static const struct rgb C_WARN_BG = { 0.99, 0.95, 0.84 };
static const struct rgb C_WARN_BORDER = { 0.80, 0.55, 0.05 };

static struct {
	PangoFontMap *fm;
	PangoContext *ctx;
} ui;

struct dc {
	cairo_t *cr;
	double ox, oy, sc; /* reference -> frame pixels */
	int fw, fh;
	struct hal_display_region *regions;
	size_t cap, n;
	bool truncated;
	struct kiosk_ui_stats *st;
	const struct kiosk_screen *s;
};

int kiosk_ui_warm_up(void)
{
	static const char sample[] = "新型コロナワクチン接種証明書の発行 COVID-19 Vaccination 0123456789";
	cairo_font_options_t *fo;
	PangoLayout *l;

	if (ui.ctx != NULL) {
		return KIOSK_OK;
	}
	ui.fm = pango_cairo_font_map_new();
	if (ui.fm == NULL) {
		return KIOSK_ERR_RENDER;
	}
	ui.ctx = pango_font_map_create_context(ui.fm);
	if (ui.ctx == NULL) {
		g_object_unref(ui.fm);
		ui.fm = NULL;
		return KIOSK_ERR_RENDER;
	}
	/* Resolution-independent metrics: the layout is the same at any scale. */
	fo = cairo_font_options_create();
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_SLIGHT);
	cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
	pango_cairo_context_set_font_options(ui.ctx, fo);
	cairo_font_options_destroy(fo);
	pango_context_set_language(ui.ctx, pango_language_from_string("ja"));
	/* Load both weights now so the first screen is not the slow one. */
	for (int bold = 0; bold < 2; bold++) {
		PangoFontDescription *fd = pango_font_description_from_string(UI_FONT);

		pango_font_description_set_absolute_size(fd, SZ_BODY * PANGO_SCALE);
		pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD
							   : PANGO_WEIGHT_NORMAL);
		l = pango_layout_new(ui.ctx);
		pango_layout_set_font_description(l, fd);
		pango_layout_set_text(l, sample, -1);
		(void)pango_layout_get_unknown_glyphs_count(l);
		g_object_unref(l);
		pango_font_description_free(fd);
	}
	return KIOSK_OK;
}

void kiosk_ui_shutdown(void)
{
	if (ui.ctx != NULL) {
		g_object_unref(ui.ctx);
		ui.ctx = NULL;
	}
	if (ui.fm != NULL) {
		g_object_unref(ui.fm);
		ui.fm = NULL;
	}
	pango_cairo_font_map_set_default(NULL);
	cairo_debug_reset_static_data();
	FcFini();
}

/* --- text -------------------------------------------------------------------- */

static PangoLayout *new_layout(const char *family, double size, bool bold, double w,
			       PangoAlignment al, bool no_fallback)
{
	PangoLayout *l = pango_layout_new(ui.ctx);
	PangoFontDescription *fd = pango_font_description_from_string(family);

	pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
	pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	if (no_fallback) {
		PangoAttrList *al2 = pango_attr_list_new();

		pango_attr_list_insert(al2, pango_attr_fallback_new(FALSE));
		pango_layout_set_attributes(l, al2);
		pango_attr_list_unref(al2);
	}
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_width(l, (int)(w * PANGO_SCALE));
	pango_layout_set_alignment(l, al);
	return l;
}

static double layout_h(PangoLayout *l)
{
	int pw, ph;

	pango_layout_get_size(l, &pw, &ph);
	return (double)ph / PANGO_SCALE;
}

static void set_rgb(cairo_t *cr, struct rgb c)
{
	cairo_set_source_rgb(cr, c.r, c.g, c.b);
}

static void show(struct dc *d, PangoLayout *l, double x, double y, struct rgb c)
{
	set_rgb(d->cr, c);
	cairo_move_to(d->cr, x, y);
	pango_cairo_show_layout(d->cr, l);
}

/* A static text (fallback allowed) laid out in width @w. */
static PangoLayout *text_layout(struct dc *d, const char *t, double size, bool bold, double w,
				PangoAlignment al)
{
	PangoLayout *l = new_layout(UI_FONT, size, bold, w, al, false);

	pango_layout_set_text(l, t, -1);
	d->st->texts++;
	d->st->unknown_glyphs += (unsigned)pango_layout_get_unknown_glyphs_count(l);
	return l;
}

/* Draw @t at (@x, @y) in width @w; more than @max_h tall counts as overflow.
 * Returns the height used. */
static double text_n(struct dc *d, const char *t, int len, double x, double y, double w,
		     double max_h, double size, bool bold, struct rgb c, PangoAlignment al)
{
	PangoLayout *l;
	double h;

	if (t == NULL || t[0] == '\0' || len == 0) {
		return 0;
	}
	l = new_layout(UI_FONT, size, bold, w, al, false);
	pango_layout_set_text(l, t, len);
	d->st->texts++;
	d->st->unknown_glyphs += (unsigned)pango_layout_get_unknown_glyphs_count(l);
	h = layout_h(l);
	if (h > max_h + 0.5) {
		d->st->overflow++;
	}
	show(d, l, x, y, c);
	g_object_unref(l);
	return h;
}

static double text(struct dc *d, const char *t, double x, double y, double w, double max_h,
		   double size, bool bold, struct rgb c, PangoAlignment al)
{
	return text_n(d, t, -1, x, y, w, max_h, size, bold, c, al);
}

/* Measure without drawing. */
static double text_h(const char *t, double w, double size, bool bold)
{
	PangoLayout *l;
	double h;

	if (t == NULL || t[0] == '\0') {
		return 0;
	}
	l = new_layout(UI_FONT, size, bold, w, PANGO_ALIGN_LEFT, false);
	pango_layout_set_text(l, t, -1);
	h = layout_h(l);
	g_object_unref(l);
	return h;
}

/* --- shapes and regions ------------------------------------------------------ */

static void round_rect(cairo_t *cr, double x, double y, double w, double h, double r)
{
	cairo_new_sub_path(cr);
	cairo_arc(cr, x + w - r, y + r, r, -M_PI / 2, 0);
	cairo_arc(cr, x + w - r, y + h - r, r, 0, M_PI / 2);
	cairo_arc(cr, x + r, y + h - r, r, M_PI / 2, M_PI);
	cairo_arc(cr, x + r, y + r, r, M_PI, 3 * M_PI / 2);
	cairo_close_path(cr);
}

static void add_region(struct dc *d, const char *id, double x, double y, double w, double h)
{
	struct hal_display_region *r;
	long x0 = lround(d->ox + x * d->sc), y0 = lround(d->oy + y * d->sc);
	long x1 = lround(d->ox + (x + w) * d->sc), y1 = lround(d->oy + (y + h) * d->sc);

	if (d->regions == NULL) {
		return;
	}
	if (d->n >= d->cap) {
		d->truncated = true;
		return;
	}
	r = &d->regions[d->n++];
	r->x = (int)(x0 < 0 ? 0 : x0);
	r->y = (int)(y0 < 0 ? 0 : y0);
	r->w = (int)((x1 > d->fw ? d->fw : x1) - r->x);
	r->h = (int)((y1 > d->fh ? d->fh : y1) - r->y);
	(void)snprintf(r->id, sizeof(r->id), "%s", id);
}

enum btn_style { STYLE_SECONDARY, STYLE_PRIMARY, STYLE_CHOICE, STYLE_KEY };

/* A button with its label centred; long labels wrap, then shrink. Labels
 * from the center (municipality names) may finally be ellipsized. */
static void button(struct dc *d, const struct kiosk_button *b, double x, double y, double w,
		   double h, enum btn_style style, double size)
{
	cairo_t *cr = d->cr;
	struct rgb fill = C_BG, fg = C_TEXT, border = C_BORDER;
	double bw = 3, pad = 18, lh = 0;
	bool from_data = strncmp(b->id, "m:", 2) == 0;
	PangoLayout *l = NULL;

	switch (style) {
	case STYLE_PRIMARY:
		fill = C_PRIMARY;
		fg = C_WHITE;
		border = C_PRIMARY;
		break;
	case STYLE_CHOICE:
		fill = C_CHOICE_BG;
		border = C_NAVY;
		break;
	case STYLE_KEY:
		fill = C_KEY_BG;
		bw = 2;
		break;
	case STYLE_SECONDARY:
		break;
	}
	round_rect(cr, x + bw / 2, y + bw / 2, w - bw, h - bw, 14);
	set_rgb(cr, fill);
	cairo_fill_preserve(cr);
	set_rgb(cr, border);
	cairo_set_line_width(cr, bw);
	cairo_stroke(cr);

	for (double sz = size; sz >= 22.0; sz -= 2.0) {
		if (l != NULL) {
			g_object_unref(l);
		}
		l = new_layout(UI_FONT, sz, style != STYLE_KEY || b->id[1] != '\0', w - 2 * pad,
			       PANGO_ALIGN_CENTER, false);
		pango_layout_set_text(l, b->label, -1);
		lh = layout_h(l);
		if (lh <= h - 12) {
			break;
		}
	}
	d->st->texts++;
	d->st->unknown_glyphs += (unsigned)pango_layout_get_unknown_glyphs_count(l);
	if (lh > h - 12) {
		if (!from_data) {
			d->st->overflow++;
		}
		pango_layout_set_height(l, (int)((h - 12) * PANGO_SCALE));
		pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
		lh = layout_h(l);
	}
	show(d, l, x + pad, y + (h - lh) / 2, fg);
	g_object_unref(l);
	add_region(d, b->id, x, y, w, h);
}

/* --- button roles ------------------------------------------------------------ */

static bool is_key(const struct kiosk_screen *s, const struct kiosk_button *b)
{
	if (!s->keypad) {
		return false;
	}
	return (b->id[0] >= '0' && b->id[0] <= '9' && b->id[1] == '\0') ||
	       strcmp(b->id, KIOSK_BTN_DELETE) == 0 || strcmp(b->id, KIOSK_BTN_OK) == 0;
}

static bool is_nav_left(const struct kiosk_button *b)
{
	return strcmp(b->id, KIOSK_BTN_BACK) == 0 || strcmp(b->id, KIOSK_BTN_CANCEL) == 0;
}

static bool is_nav_right(const struct kiosk_button *b)
{
	return b->primary || strcmp(b->id, KIOSK_BTN_PREV) == 0 ||
	       strcmp(b->id, KIOSK_BTN_NEXT) == 0 || strcmp(b->id, KIOSK_BTN_RETRY) == 0 ||
	       strcmp(b->id, KIOSK_BTN_CONFIRM) == 0;
}

enum role { ROLE_KEY, ROLE_LEFT, ROLE_RIGHT, ROLE_CHOICE };

static enum role role_of(const struct kiosk_screen *s, const struct kiosk_button *b)
{
	if (is_key(s, b)) {
		return ROLE_KEY;
	}
	if (is_nav_left(b)) {
		return ROLE_LEFT;
	}
	if (is_nav_right(b)) {
		return ROLE_RIGHT;
	}
	return ROLE_CHOICE;
}

/* --- parts ------------------------------------------------------------------- */

/* The title band; returns its height. */
static double header(struct dc *d)
{
	const struct kiosk_screen *s = d->s;
	struct rgb band = C_NAVY, fg = C_WHITE, fg2 = { 0.85, 0.89, 0.94 };
	PangoLayout *t, *te = NULL;
	double th, teh = 0, hh, y;

	if (s->tone == KIOSK_TONE_ATTENTION) {
		band = C_AMBER;
		fg = C_TEXT;
		fg2 = C_TEXT_2;
	} else if (s->tone == KIOSK_TONE_ERROR) {
		band = C_RED;
		fg2 = (struct rgb){ 0.98, 0.90, 0.89 };
	}
	t = text_layout(d, s->title, SZ_TITLE, true, CONTENT_W, PANGO_ALIGN_LEFT);
	th = layout_h(t);
	if (s->bilingual && s->title_en[0] != '\0') {
		te = text_layout(d, s->title_en, SZ_TITLE_EN, false, CONTENT_W, PANGO_ALIGN_LEFT);
		teh = layout_h(te) + 2;
	}
	hh = th + teh + 2 * 24;
	set_rgb(d->cr, band);
	cairo_rectangle(d->cr, 0, 0, REF_W, hh);
	cairo_fill(d->cr);
	y = 24;
	show(d, t, MARGIN, y, fg);
	if (te != NULL) {
		show(d, te, MARGIN, y + th + 2, fg2);
		g_object_unref(te);
	}
	g_object_unref(t);
	return hh;
}

/* One text, a little air between its lines ('\n'); with @warn_last the last
 * line is a warning in an amber panel. Returns the end y. */
static double paragraphs(struct dc *d, const char *t, double x, double y, double w, double max_y,
			 double size, struct rgb c, PangoAlignment al, bool warn_last)
{
	const char *p = t;

	while (p != NULL && *p != '\0') {
		const char *nl = strchr(p, '\n');
		int len = nl != NULL ? (int)(nl - p) : (int)strlen(p);
		bool last = nl == NULL || nl[1] == '\0';

		if (last && warn_last) {
			const double pad = 16;
			PangoLayout *l = new_layout(UI_FONT, size, false, w - 2 * pad, al, false);
			double h;

			pango_layout_set_text(l, p, len);
			d->st->texts++;
			d->st->unknown_glyphs += (unsigned)pango_layout_get_unknown_glyphs_count(l);
			h = layout_h(l);
			y += 6;
			if (y + h + 2 * pad > max_y + 0.5) {
				d->st->overflow++;
			}
			round_rect(d->cr, x, y, w, h + 2 * pad, 10);
			set_rgb(d->cr, C_WARN_BG);
			cairo_fill_preserve(d->cr);
			set_rgb(d->cr, C_WARN_BORDER);
			cairo_set_line_width(d->cr, 3);
			cairo_stroke(d->cr);
			show(d, l, x + pad, y + pad, C_TEXT);
			g_object_unref(l);
			y += h + 2 * pad;
		} else {
			y += text_n(d, p, len, x, y, w, max_y - y, size, false, c, al);
		}
		if (nl == NULL) {
			break;
		}
		p = nl + 1;
		y += 10;
	}
	return y;
}

/* Body (and English under it when bilingual) from @y in @w; returns the end y. */
static double body(struct dc *d, double x, double y, double w, double max_y, double size,
		   PangoAlignment al)
{
	const struct kiosk_screen *s = d->s;
	bool warn = s->id == KIOSK_SCREEN_PIN && s->tries_left == 1;

	y = paragraphs(d, s->body, x, y, w, max_y, size, C_TEXT, al, warn);
	if (s->bilingual && s->body_en[0] != '\0') {
		y += s->body[0] != '\0' ? 24 : 0;
		y = paragraphs(d, s->body_en, x, y, w, max_y, SZ_BODY_EN, C_TEXT_2, al, false);
	}
	return y;
}

static void pin_dots(struct dc *d, double x, double y)
{
	const double r = 22, step = 72;

	for (unsigned i = 0; i < 4; i++) {
		cairo_arc(d->cr, x + r + i * step, y + r, r, 0, 2 * M_PI);
		if (i < d->s->pin_digits) {
			set_rgb(d->cr, C_TEXT);
			cairo_fill(d->cr);
		} else {
			set_rgb(d->cr, C_BORDER);
			cairo_set_line_width(d->cr, 3);
			cairo_stroke(d->cr);
		}
	}
}

/* 3 x 4 keypad: 1-9, then delete, 0, ok. */
static void keypad(struct dc *d, double x, double y, double w, double h)
{
	static const char *const order[12] = { "1", "2", "3", "4", "5", "6",
					       "7", "8", "9", KIOSK_BTN_DELETE, "0", KIOSK_BTN_OK };
	const struct kiosk_screen *s = d->s;
	const double g = 14;
	double kw = (w - 2 * g) / 3, kh = (h - 3 * g) / 4;

	if (kh > 100) {
		kh = 100;
	}
	if (kh < 90) {
		d->st->overflow++; /* keys too small to hit */
	}
	for (int k = 0; k < 12; k++) {
		for (size_t i = 0; i < s->n_buttons; i++) {
			const struct kiosk_button *b = &s->buttons[i];

			if (strcmp(b->id, order[k]) != 0 || !is_key(s, b)) {
				continue;
			}
			button(d, b, x + (k % 3) * (kw + g), y + (k / 3) * (kh + g), kw, kh,
			       b->primary ? STYLE_PRIMARY : STYLE_KEY,
			       b->id[1] == '\0' ? SZ_KEY : SZ_BUTTON);
			break;
		}
	}
}

/* The holder's name in one font that has all its characters, else NULL. */
static PangoLayout *name_layout(const char *name, double w)
{
	for (size_t i = 0; i < sizeof(name_fonts) / sizeof(name_fonts[0]); i++) {
		PangoLayout *l = new_layout(name_fonts[i], SZ_NAME, true, w, PANGO_ALIGN_LEFT,
					    true);

		pango_layout_set_text(l, name, -1);
		if (pango_layout_get_unknown_glyphs_count(l) == 0) {
			return l;
		}
		g_object_unref(l);
	}
	return NULL;
}

/* Name and birth date in a panel; returns the rc for the name. */
static int holder_panel(struct dc *d, double y, double max_y)
{
	const struct kiosk_screen *s = d->s;
	const double lx = MARGIN + 32, lw = 240, vx = lx + lw + 16, vw = REF_W - MARGIN - 32 - vx;
	char birth[48];
	PangoLayout *nl = NULL;
	double nh, bh, ph;
	int rc = KIOSK_OK;

	if (s->holder_name != NULL && s->holder_name[0] != '\0') {
		nl = name_layout(s->holder_name, vw);
		if (nl == NULL) {
			rc = KIOSK_ERR_GLYPH_MISSING;
		}
	}
	if (nl == NULL) {
		/* never draw wrong glyphs (or boxes) for a name */
		nl = text_layout(d, "＊＊", SZ_NAME, true, vw, PANGO_ALIGN_LEFT);
	}
	if (kiosk_ui_format_birth(s->lang, s->holder_birth_date, birth, sizeof(birth)) !=
	    KIOSK_OK) {
		(void)snprintf(birth, sizeof(birth), "＊＊");
	}
	nh = layout_h(nl);
	bh = text_h(birth, vw, SZ_NAME, false);
	ph = 28 + nh + 20 + bh + 28;
	if (y + ph > max_y + 0.5) {
		d->st->overflow++;
	}
	round_rect(d->cr, MARGIN, y, CONTENT_W, ph, 12);
	set_rgb(d->cr, C_PANEL);
	cairo_fill_preserve(d->cr);
	set_rgb(d->cr, C_NAVY);
	cairo_set_line_width(d->cr, 2);
	cairo_stroke(d->cr);
	y += 28;
	(void)text(d, kiosk_ui_text(KIOSK_UI_TEXT_NAME, s->lang), lx, y + (nh - 40) / 2, lw, nh,
		   SZ_LABEL, false, C_TEXT_2, PANGO_ALIGN_LEFT);
	show(d, nl, vx, y, C_TEXT);
	g_object_unref(nl);
	y += nh + 20;
	(void)text(d, kiosk_ui_text(KIOSK_UI_TEXT_BIRTH, s->lang), lx, y + (bh - 40) / 2, lw, bh,
		   SZ_LABEL, false, C_TEXT_2, PANGO_ALIGN_LEFT);
	(void)text(d, birth, vx, y, vw, bh, SZ_NAME, false, C_TEXT, PANGO_ALIGN_LEFT);
	mbedtls_platform_zeroize(birth, sizeof(birth));
	return rc;
}

/* Choice buttons: municipalities in two columns, others stacked and centred. */
static void choices(struct dc *d, double y, double max_y)
{
	const struct kiosk_screen *s = d->s;
	const struct kiosk_button *c[KIOSK_SCREEN_BUTTONS_MAX];
	size_t nc = 0;
	bool grid = false;

	for (size_t i = 0; i < s->n_buttons; i++) {
		if (role_of(s, &s->buttons[i]) == ROLE_CHOICE) {
			c[nc++] = &s->buttons[i];
			grid = grid || strncmp(s->buttons[i].id, "m:", 2) == 0;
		}
	}
	if (nc == 0) {
		return;
	}
	if (grid) {
		const double g = 14, cw = (CONTENT_W - GAP) / 2;
		size_t rows = (nc + 1) / 2;
		double bh = (max_y - y - (double)(rows - 1) * g) / (double)rows;

		if (bh > 104) {
			bh = 104;
		}
		if (bh < 90) {
			bh = 90;
			d->st->overflow++;
		}
		for (size_t i = 0; i < nc; i++) {
			button(d, c[i], MARGIN + (double)(i % 2) * (cw + GAP),
			       y + (double)(i / 2) * (bh + g), cw, bh, STYLE_CHOICE, 30);
		}
	} else {
		const double bw = 880, bh = 112, g = 28;
		double total = (double)nc * bh + (double)(nc - 1) * g;
		double y0 = y + (max_y - y - total) / 2;

		if (y0 < y) {
			y0 = y;
			d->st->overflow++;
		}
		for (size_t i = 0; i < nc; i++) {
			button(d, c[i], (REF_W - bw) / 2, y0 + (double)i * (bh + g), bw, bh,
			       STYLE_CHOICE, 36);
		}
	}
}

/* Back/cancel on the left, next step on the right; a screen whose only
 * button is the primary one gets it big and centred. Returns the row's top,
 * or 0 when the screen has no navigation. */
static double nav_row(struct dc *d)
{
	const struct kiosk_screen *s = d->s;
	const struct kiosk_button *right[KIOSK_SCREEN_BUTTONS_MAX];
	size_t nr = 0, nl = 0;
	double x;

	for (size_t i = 0; i < s->n_buttons; i++) {
		const struct kiosk_button *b = &s->buttons[i];
		enum role r = role_of(s, b);

		if (r == ROLE_LEFT) {
			button(d, b, MARGIN + (double)nl * (280 + GAP), NAV_Y, 280, NAV_H,
			       STYLE_SECONDARY, SZ_BUTTON);
			nl++;
		} else if (r == ROLE_RIGHT) {
			right[nr++] = b;
		}
	}
	if (nr == 1 && nl == 0 && right[0]->primary) {
		const double bw = 520;

		button(d, right[0], (REF_W - bw) / 2, NAV_Y - 16, bw, NAV_H + 12, STYLE_PRIMARY,
		       36);
		return NAV_Y - 16;
	}
	x = REF_W - MARGIN;
	for (size_t i = nr; i-- > 0;) {
		double bw = right[i]->primary ? 360 : 260;

		x -= bw;
		button(d, right[i], x, NAV_Y, bw, NAV_H,
		       right[i]->primary ? STYLE_PRIMARY : STYLE_SECONDARY, SZ_BUTTON);
		x -= GAP;
	}
	return nl + nr > 0 ? NAV_Y : 0;
}

int kiosk_ui_draw_stats(cairo_t *cr, int w, int h, const struct kiosk_screen *s,
			struct hal_display_region *regions, size_t cap, size_t *n,
			struct kiosk_ui_stats *st)
{
	struct kiosk_ui_stats local;
	struct dc d;
	double top, content_end, y;
	double nav;
	bool any_choice = false;
	int rc;

	if (n != NULL) {
		*n = 0;
	}
	if (st == NULL) {
		st = &local;
	}
	memset(st, 0, sizeof(*st));
	if (cr == NULL || s == NULL || w <= 0 || h <= 0) {
		return KIOSK_ERR_INVALID_ARG;
	}
	rc = kiosk_ui_warm_up();
	if (rc != KIOSK_OK) {
		return rc;
	}
	memset(&d, 0, sizeof(d));
	d.cr = cr;
	d.s = s;
	d.st = st;
	d.fw = w;
	d.fh = h;
	d.regions = regions;
	d.cap = regions != NULL ? cap : 0;
	d.sc = fmin(w / REF_W, h / REF_H);
	d.ox = (w - REF_W * d.sc) / 2;
	d.oy = (h - REF_H * d.sc) / 2;

	cairo_save(cr);
	cairo_identity_matrix(cr);
	cairo_reset_clip(cr);
	set_rgb(cr, C_BG);
	cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE);
	cairo_paint(cr);
	cairo_set_operator(cr, CAIRO_OPERATOR_OVER);
	cairo_translate(cr, d.ox, d.oy);
	cairo_scale(cr, d.sc, d.sc);
	pango_cairo_update_context(cr, ui.ctx);

	top = header(&d) + 36;
	nav = nav_row(&d);
	content_end = nav > 0 ? nav - GAP : COUNTDOWN_Y - 16;
	for (size_t i = 0; i < s->n_buttons; i++) {
		any_choice = any_choice || role_of(s, &s->buttons[i]) == ROLE_CHOICE;
	}

	if (s->keypad) {
		const double kx = 760, kw = REF_W - MARGIN - kx;

		/* the typed digits as dots over the keypad, like a display above keys */
		(void)body(&d, MARGIN, top, kx - MARGIN - 48, content_end, SZ_BODY,
			   PANGO_ALIGN_LEFT);
		pin_dots(&d, kx + (kw - (3 * 72 + 44)) / 2, top - 4);
		keypad(&d, kx, top + 60, kw, content_end - top - 60);
	} else if (s->id == KIOSK_SCREEN_CONFIRM) {
		y = body(&d, MARGIN, top, CONTENT_W, content_end, SZ_BODY, PANGO_ALIGN_LEFT);
		rc = holder_panel(&d, y + 28, content_end);
	} else if (any_choice) {
		y = body(&d, MARGIN, top, CONTENT_W, content_end, SZ_BODY, PANGO_ALIGN_LEFT);
		choices(&d, y + (y > top ? 28 : 0), content_end);
	} else if (s->bilingual || nav > 0) {
		(void)body(&d, MARGIN, top, CONTENT_W, content_end, s->bilingual ? SZ_BODY
										 : SZ_BODY_PLAIN,
			   PANGO_ALIGN_LEFT);
	} else {
		/* nothing to press: a short message, big and centred */
		double bh = text_h(s->body, CONTENT_W, SZ_BODY_BIG, false);

		y = top + fmax(0, (content_end - top - bh) / 2 - 24);
		(void)paragraphs(&d, s->body, MARGIN, y, CONTENT_W, content_end, SZ_BODY_BIG, C_TEXT,
				 PANGO_ALIGN_CENTER, false);
	}

	if (s->seconds_left > 0) {
		char line[96];

		kiosk_ui_countdown_text(s->lang, s->seconds_left, line, sizeof(line));
		(void)text(&d, line, MARGIN, COUNTDOWN_Y, CONTENT_W, REF_H - COUNTDOWN_Y,
			   SZ_COUNTDOWN, false, C_TEXT_2, PANGO_ALIGN_CENTER);
	}
	cairo_restore(cr);

	if (n != NULL) {
		*n = d.n;
	}
	if (cairo_status(cr) != CAIRO_STATUS_SUCCESS || d.truncated) {
		return KIOSK_ERR_RENDER;
	}
	return rc;
}

int kiosk_ui_draw(cairo_t *cr, int w, int h, const struct kiosk_screen *s,
		  struct hal_display_region *regions, size_t cap, size_t *n)
{
	return kiosk_ui_draw_stats(cr, w, h, s, regions, cap, n, NULL);
}

/* --- frames ------------------------------------------------------------------ */

int kiosk_ui_frame_setup(struct kiosk_ui_frame *f, int w, int h)
{
	if (f == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	memset(f, 0, sizeof(*f));
	if (w <= 0 || h <= 0 || w > 8192 || h > 8192) {
		return KIOSK_ERR_INVALID_ARG;
	}
	f->surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
	if (cairo_surface_status(f->surface) != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(f->surface);
		f->surface = NULL;
		return KIOSK_ERR_NO_MEMORY;
	}
	f->frame.pixels = cairo_image_surface_get_data(f->surface);
	f->frame.width = w;
	f->frame.height = h;
	f->frame.stride = cairo_image_surface_get_stride(f->surface);
	f->frame.regions = f->regions;
	f->frame.n_regions = 0;
	return KIOSK_OK;
}

int kiosk_ui_frame_draw(struct kiosk_ui_frame *f, const struct kiosk_screen *s)
{
	cairo_t *cr;
	size_t n = 0;
	int rc;

	if (f == NULL || f->surface == NULL || s == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	cr = cairo_create(f->surface);
	rc = kiosk_ui_draw(cr, f->frame.width, f->frame.height, s, f->regions,
			   HAL_DISPLAY_REGIONS_MAX, &n);
	cairo_destroy(cr);
	cairo_surface_flush(f->surface);
	f->frame.n_regions = n;
	return rc;
}

int kiosk_ui_frame_write_png(const struct kiosk_ui_frame *f, const char *path)
{
	if (f == NULL || f->surface == NULL || path == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (cairo_surface_write_to_png(f->surface, path) != CAIRO_STATUS_SUCCESS) {
		return KIOSK_ERR_IO;
	}
	return KIOSK_OK;
}

void kiosk_ui_frame_free(struct kiosk_ui_frame *f)
{
	if (f == NULL) {
		return;
	}
	if (f->surface != NULL) {
		unsigned char *px;

		cairo_surface_flush(f->surface);
		px = cairo_image_surface_get_data(f->surface);
		if (px != NULL) {
			mbedtls_platform_zeroize(px, (size_t)cairo_image_surface_get_stride(f->surface) *
						     (size_t)cairo_image_surface_get_height(f->surface));
		}
		cairo_surface_mark_dirty(f->surface);
		cairo_surface_destroy(f->surface);
	}
	memset(f, 0, sizeof(*f));
}
