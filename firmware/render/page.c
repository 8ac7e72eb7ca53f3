/* SPDX-License-Identifier: MIT */
/*
 * The certificate page: one layout function (draw_page) draws into any cairo
 * context, in points on A4 portrait; the PDF surface uses it as is, the PNG
 * surface scales points to pixels. Text goes through pango with the board's
 * Japanese font; the holder's name is drawn with font fallback disabled, after
 * a check that the font has every one of its characters.
 *
 * Everything derived from the model (formatted names, dates, QR matrices) is
 * kept in one struct page in wiped memory, zeroised before return.
 */
#include <stdio.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <mbedtls/platform_util.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>

#include "internal.h"
#include "kiosk/err.h"
#include "kiosk/render.h"

#define PT_PER_IN 72.0
#define A4_W (210.0 / 25.4 * PT_PER_IN)
#define A4_H (297.0 / 25.4 * PT_PER_IN)
#define MARGIN 42.0
#define TOP 30.0
#define LABEL_W 92.0

#define GREY 0.35
#define RULE 0.6

/* Strings printed from the model, formatted once (personal data). */
struct page_dose {
	char num_ja[16];
	char num_en[16];
	char date_ja[32];
	char date_en[16];
	char product[CERT_PRODUCT_MAX + 1];
	char maker[CERT_MANUFACTURER_MAX + 1];
	char lot[CERT_LOT_MAX + 1];
};

/* A QR symbol with its quiet zone as an image, one pixel per module, in wiped
 * memory. Drawn scaled by whole dots with nearest-neighbour filtering: one
 * small image XObject in the PDF instead of thousands of rectangles. It must
 * outlive the surface it was drawn on (cairo's PDF backend emits it late). */
struct qr_img {
	cairo_surface_t *s;
	uint8_t *pix;
	size_t alloc;
	unsigned n; /* pixels per side */
};

struct page {
	const struct kiosk_certificate *c;
	const struct render_opts *o;
	const char *font;      /* page text (fallback allowed, static text) */
	const char *name_font; /* the family that covers the whole name (set by preflight) */
	bool overseas;
	unsigned grid_dpi; /* QR modules are whole dots of this grid */
	char name[2 * CERT_NAME_PART_MAX + 8];
	char romaji[2 * CERT_ROMAJI_PART_MAX + 2];
	char birth_ja[32];
	char birth_en[16];
	char issued_ja[32];
	char issued_en[16];
	char issuer[256];
	char issuer_en[256];
	struct page_dose doses[CERT_DOSES_MAX];
	unsigned ndoses;
	struct render_qr shc;
	struct render_qr vds;
	struct qr_img shc_img;
	struct qr_img vds_img;
};

/* --- formatting -------------------------------------------------------------- */

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return false;
		}
	}
	return true;
}

/* @ymd: 8 digits (YYYYMMDD) -> "2021年6月1日" and "2021-06-01". */
static int fmt_date(const char *ymd, char *ja, size_t jcap, char *en, size_t ecap)
{
	unsigned y, m, d;

	if (strlen(ymd) != 8 || !all_digits(ymd, 8)) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	y = (unsigned)((ymd[0] - '0') * 1000 + (ymd[1] - '0') * 100 + (ymd[2] - '0') * 10 +
		       (ymd[3] - '0'));
	m = (unsigned)((ymd[4] - '0') * 10 + (ymd[5] - '0'));
	d = (unsigned)((ymd[6] - '0') * 10 + (ymd[7] - '0'));
	if (m < 1 || m > 12 || d < 1 || d > 31) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	(void)snprintf(ja, jcap, "%u年%u月%u日", y, m, d);
	(void)snprintf(en, ecap, "%04u-%02u-%02u", y, m, d);
	return KIOSK_OK;
}

static int fmt_name(struct page *p)
{
	const struct kiosk_certificate *c = p->c;
	int n;

	if (c->family[0] == '\0') {
		return KIOSK_ERR_CERT_FORMAT;
	}
	/* family U+3000 given, as on the card and Japan's certificates */
	n = snprintf(p->name, sizeof(p->name), "%s%s%s", c->family,
		     c->given[0] != '\0' ? "\xe3\x80\x80" : "", c->given);
	if (n < 0 || (size_t)n >= sizeof(p->name)) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	if (c->romaji_family[0] != '\0' || c->romaji_given[0] != '\0') {
		n = snprintf(p->romaji, sizeof(p->romaji), "%s%s%s", c->romaji_family,
			     c->romaji_family[0] != '\0' && c->romaji_given[0] != '\0' ? " " : "",
			     c->romaji_given);
		if (n < 0 || (size_t)n >= sizeof(p->romaji)) {
			return KIOSK_ERR_CERT_FORMAT;
		}
	}
	return KIOSK_OK;
}

static int prepare(struct page *p)
{
	const struct kiosk_certificate *c = p->c;
	const struct render_opts *o = p->o;
	char ymd[9];
	int rc;

	p->overseas = c->type == CERT_TYPE_OVERSEAS;
	rc = fmt_name(p);
	if (rc != KIOSK_OK) {
		return rc;
	}
	rc = fmt_date(c->birth_date, p->birth_ja, sizeof(p->birth_ja), p->birth_en,
		      sizeof(p->birth_en));
	if (rc != KIOSK_OK) {
		return rc;
	}
	/* issued_at is RFC 3339: the date part */
	if (strlen(c->issued_at) < 10 || c->issued_at[4] != '-' || c->issued_at[7] != '-') {
		return KIOSK_ERR_CERT_FORMAT;
	}
	memcpy(ymd, c->issued_at, 4);
	memcpy(ymd + 4, c->issued_at + 5, 2);
	memcpy(ymd + 6, c->issued_at + 8, 2);
	ymd[8] = '\0';
	rc = fmt_date(ymd, p->issued_ja, sizeof(p->issued_ja), p->issued_en,
		      sizeof(p->issued_en));
	if (rc != KIOSK_OK) {
		return rc;
	}
	if (o->municipality_name != NULL) {
		if (o->issuer_title != NULL) {
			(void)snprintf(p->issuer, sizeof(p->issuer), "%s", o->issuer_title);
		} else {
			(void)snprintf(p->issuer, sizeof(p->issuer), "%s長", o->municipality_name);
		}
	} else {
		(void)snprintf(p->issuer, sizeof(p->issuer), "市区町村コード %s", c->municipality);
	}
	if (o->municipality_name_en != NULL) {
		(void)snprintf(p->issuer_en, sizeof(p->issuer_en), "Mayor of %s (code %s)",
			       o->municipality_name_en, c->municipality);
	} else {
		(void)snprintf(p->issuer_en, sizeof(p->issuer_en), "Local government code %s",
			       c->municipality);
	}
	if (c->dose_count == 0 || c->dose_count > CERT_DOSES_MAX) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	p->ndoses = c->dose_count;
	for (unsigned i = 0; i < c->dose_count; i++) {
		const struct cert_dose *d = &c->doses[i];
		struct page_dose *pd = &p->doses[i];

		(void)snprintf(pd->num_ja, sizeof(pd->num_ja), "%u回目", d->number);
		(void)snprintf(pd->num_en, sizeof(pd->num_en), "Dose %u", d->number);
		rc = fmt_date(d->date, pd->date_ja, sizeof(pd->date_ja), pd->date_en,
			      sizeof(pd->date_en));
		if (rc != KIOSK_OK) {
			return rc;
		}
		(void)snprintf(pd->product, sizeof(pd->product), "%s",
			       d->product[0] != '\0' ? d->product : d->vaccine_code);
		(void)snprintf(pd->maker, sizeof(pd->maker), "%s", d->manufacturer);
		(void)snprintf(pd->lot, sizeof(pd->lot), "%s", d->lot[0] != '\0' ? d->lot : "-");
	}
	return KIOSK_OK;
}

/* --- text -------------------------------------------------------------------- */

enum align { LEFT, CENTER };

static PangoLayout *make_layout(cairo_t *cr, const char *font, double size, bool bold,
				bool no_fallback)
{
	PangoLayout *l = pango_cairo_create_layout(cr);
	PangoFontDescription *fd = pango_font_description_new();
	cairo_font_options_t *fo = cairo_font_options_create();

	/* Same metrics in the PDF and the PNG whatever the scale. */
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	pango_cairo_context_set_font_options(pango_layout_get_context(l), fo);
	pango_layout_context_changed(l);
	cairo_font_options_destroy(fo);

	pango_font_description_set_family(fd, font);
	pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
	pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	if (no_fallback) {
		PangoAttrList *al = pango_attr_list_new();

		pango_attr_list_insert(al, pango_attr_fallback_new(FALSE));
		pango_layout_set_attributes(l, al);
		pango_attr_list_unref(al);
	}
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	/* IPA fonts have tight line metrics: air between wrapped lines */
	pango_layout_set_line_spacing(l, 1.2f);
	return l;
}

/* Draw @s in a box of width @w at (@x, @y); returns the height used. */
static double text(cairo_t *cr, const struct page *p, double x, double y, double w,
		   const char *s, double size, bool bold, double grey, enum align a)
{
	PangoLayout *l = make_layout(cr, p->font, size, bold, false);
	int pw, ph;

	pango_layout_set_width(l, (int)(w * PANGO_SCALE));
	pango_layout_set_alignment(l, a == CENTER ? PANGO_ALIGN_CENTER : PANGO_ALIGN_LEFT);
	pango_layout_set_text(l, s, -1);
	cairo_set_source_rgb(cr, grey, grey, grey);
	cairo_move_to(cr, x, y);
	pango_cairo_show_layout(cr, l);
	pango_layout_get_size(l, &pw, &ph);
	g_object_unref(l);
	return (double)ph / PANGO_SCALE;
}

/* The name in @font with fallback disabled: that font's glyphs or nothing. */
static int name_layout_in(cairo_t *cr, const char *font, const char *s, double size,
			  PangoLayout **out)
{
	PangoLayout *l = make_layout(cr, font, size, true, true);

	pango_layout_set_text(l, s, -1);
	if (pango_layout_get_unknown_glyphs_count(l) > 0) {
		g_object_unref(l);
		*out = NULL;
		return KIOSK_ERR_GLYPH_MISSING;
	}
	*out = l;
	return KIOSK_OK;
}

static int name_layout(cairo_t *cr, const struct page *p, const char *s, double size,
		       PangoLayout **out)
{
	if (p->name_font == NULL) {
		*out = NULL;
		return KIOSK_ERR_GLYPH_MISSING;
	}
	return name_layout_in(cr, p->name_font, s, size, out);
}

static bool covers(cairo_t *cr, const struct page *p, const char *font)
{
	PangoLayout *l;

	if (name_layout_in(cr, font, p->name, 15, &l) != KIOSK_OK) {
		return false;
	}
	g_object_unref(l);
	if (p->romaji[0] != '\0') {
		if (name_layout_in(cr, font, p->romaji, 13, &l) != KIOSK_OK) {
			return false;
		}
		g_object_unref(l);
	}
	return true;
}

/* The page font if it has every character of the names, else the fallback
 * family if it has them all; else the name cannot be printed faithfully. */
static int choose_name_font(cairo_t *cr, struct page *p)
{
	const char *fb = p->o->name_fallback_family != NULL ? p->o->name_fallback_family
							    : RENDER_DEFAULT_NAME_FALLBACK;

	p->name_font = NULL;
	if (covers(cr, p, p->font)) {
		p->name_font = p->font;
	} else if (fb[0] != '\0' && covers(cr, p, fb)) {
		p->name_font = fb;
	} else {
		return KIOSK_ERR_GLYPH_MISSING;
	}
	return KIOSK_OK;
}

/* --- drawing ----------------------------------------------------------------- */

static void hline(cairo_t *cr, double x0, double x1, double y, double width)
{
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_set_line_width(cr, width);
	cairo_move_to(cr, x0, y);
	cairo_line_to(cr, x1, y);
	cairo_stroke(cr);
}

static void vline(cairo_t *cr, double x, double y0, double y1)
{
	cairo_set_line_width(cr, RULE);
	cairo_move_to(cr, x, y0);
	cairo_line_to(cr, x, y1);
	cairo_stroke(cr);
}

/* Label (Japanese over English) in the left column; returns its height. */
static double label(cairo_t *cr, const struct page *p, double x, double y, double w,
		    const char *ja, const char *en)
{
	double h = text(cr, p, x, y, w, ja, 10, true, 0, LEFT) + 1.5;

	h += text(cr, p, x, y + h, w, en, 7.5, false, GREY, LEFT);
	return h;
}

/* One cell of a row: label (Japanese over English) and value. */
struct cell {
	const char *ja;
	const char *en;
	const char *v1;  /* NULL: empty cell */
	const char *v2;  /* smaller grey line under v1; may be NULL */
	bool name;       /* v1 is the holder's name: no font fallback */
	double size;     /* v1's size; 0: 12 pt */
};

static double draw_cell(cairo_t *cr, const struct page *p, double x, double y, double w,
			double lw, const struct cell *c)
{
	double hl, hv;

	if (c->v1 == NULL) {
		return 0;
	}
	hl = label(cr, p, x + 6, y + 6, lw - 10, c->ja, c->en);
	if (c->name) {
		PangoLayout *l = NULL;
		int pw, ph;

		/* checked before anything was drawn (preflight) */
		if (name_layout(cr, p, c->v1, c->size, &l) != KIOSK_OK) {
			return hl;
		}
		pango_layout_set_width(l, (int)((w - lw - 6) * PANGO_SCALE));
		cairo_set_source_rgb(cr, 0, 0, 0);
		cairo_move_to(cr, x + lw, y + 4);
		pango_cairo_show_layout(cr, l);
		pango_layout_get_size(l, &pw, &ph);
		g_object_unref(l);
		hv = (double)ph / PANGO_SCALE - 2;
	} else {
		hv = text(cr, p, x + lw, y + 5, w - lw - 6, c->v1, c->size > 0 ? c->size : 12, false,
			  0, LEFT) - 1;
	}
	if (c->v2 != NULL) {
		hv += 2 + text(cr, p, x + lw, y + 7 + hv, w - lw - 6, c->v2, 8, false, GREY, LEFT);
	}
	return hl > hv ? hl : hv;
}

/* A row of one (@b == NULL) or two cells, rule below; returns the new y. */
static double row(cairo_t *cr, const struct page *p, double y, const struct cell *a,
		  const struct cell *b)
{
	double x0 = MARGIN, x1 = A4_W - MARGIN, half = (x1 - x0) / 2;
	double h;

	if (b == NULL) {
		h = draw_cell(cr, p, x0, y, x1 - x0, LABEL_W, a);
	} else {
		double hb;

		h = draw_cell(cr, p, x0, y, half, LABEL_W, a);
		hb = draw_cell(cr, p, x0 + half, y, half, LABEL_W, b);
		h = hb > h ? hb : h;
	}
	y += h + 11;
	hline(cr, x0, x1, y, RULE);
	return y;
}

static double section(cairo_t *cr, const struct page *p, double y, const char *title)
{
	double h;

	cairo_set_source_rgb(cr, 0.90, 0.92, 0.95);
	cairo_rectangle(cr, MARGIN, y, A4_W - 2 * MARGIN, 19);
	cairo_fill(cr);
	h = text(cr, p, MARGIN + 6, y + 3, A4_W - 2 * MARGIN - 12, title, 10.5, true, 0, LEFT);
	(void)h;
	y += 19;
	hline(cr, MARGIN, A4_W - MARGIN, y, 1.0);
	return y;
}

/* Snap a length in points to the QR grid (whole dots at p->grid_dpi). */
static double snap(const struct page *p, double pt)
{
	double dots = pt * p->grid_dpi / PT_PER_IN;

	return (double)(long)(dots + 0.5) * PT_PER_IN / p->grid_dpi;
}

static void qr_img_free(struct qr_img *im)
{
	if (im->s != NULL) {
		cairo_surface_finish(im->s);
		cairo_surface_destroy(im->s);
	}
	render_wiped_free(im->pix, im->alloc);
	memset(im, 0, sizeof(*im));
}

static int qr_img_setup(struct qr_img *im, const struct render_qr *qr)
{
	unsigned n = qr->width + 2 * RENDER_QR_QUIET;
	int stride = cairo_format_stride_for_width(CAIRO_FORMAT_RGB24, (int)n);

	if (stride <= 0) {
		return KIOSK_ERR_RENDER;
	}
	im->pix = render_wiped_alloc((size_t)stride * n, &im->alloc);
	if (im->pix == NULL) {
		return KIOSK_ERR_NO_MEMORY;
	}
	im->n = n;
	for (unsigned r = 0; r < n; r++) {
		uint32_t *row32 = (uint32_t *)(void *)(im->pix + (size_t)r * (size_t)stride);

		for (unsigned col = 0; col < n; col++) {
			bool dark = r >= RENDER_QR_QUIET && col >= RENDER_QR_QUIET &&
				    r < n - RENDER_QR_QUIET && col < n - RENDER_QR_QUIET &&
				    qr->modules[(size_t)(r - RENDER_QR_QUIET) * qr->width +
						(col - RENDER_QR_QUIET)] != 0;

			row32[col] = dark ? 0x000000u : 0xffffffu;
		}
	}
	im->s = cairo_image_surface_create_for_data(im->pix, CAIRO_FORMAT_RGB24, (int)n, (int)n,
						    stride);
	if (cairo_surface_status(im->s) != CAIRO_STATUS_SUCCESS) {
		return KIOSK_ERR_RENDER;
	}
	return KIOSK_OK;
}

/* Draw @im at (@x, @y) snapped to the dot grid; returns the side in points. */
static double draw_qr(cairo_t *cr, const struct page *p, const struct qr_img *im, double x,
		      double y, unsigned min_mm)
{
	unsigned dpm = render_qr_dots_per_module(im->n - 2 * RENDER_QR_QUIET, p->grid_dpi, min_mm);
	double m = (double)dpm * PT_PER_IN / p->grid_dpi;

	x = snap(p, x);
	y = snap(p, y);
	cairo_save(cr);
	cairo_translate(cr, x, y);
	cairo_scale(cr, m, m);
	cairo_set_source_surface(cr, im->s, 0, 0);
	cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
	cairo_rectangle(cr, 0, 0, im->n, im->n);
	cairo_fill(cr);
	cairo_restore(cr);
	return m * im->n;
}

static double dose_table(cairo_t *cr, const struct page *p, double y)
{
	static const char *const head_ja[4] = { "接種回数", "接種年月日", "ワクチン名／製造販売業者",
						"製造番号" };
	static const char *const head_en[4] = { "Dose", "Date of vaccination",
						"Vaccine / Manufacturer", "Lot number" };
	const double w[4] = { 70, 120, 0, 110 };
	double x[5];
	double ytop = y;

	x[0] = MARGIN;
	x[1] = x[0] + w[0];
	x[2] = x[1] + w[1];
	x[4] = A4_W - MARGIN;
	x[3] = x[4] - w[3];
	{
		double h = 0;

		for (int i = 0; i < 4; i++) {
			double hh = label(cr, p, x[i] + 5, y + 4, x[i + 1] - x[i] - 10, head_ja[i],
					  head_en[i]);

			h = hh > h ? hh : h;
		}
		y += h + 8;
		hline(cr, x[0], x[4], y, RULE);
	}
	for (unsigned i = 0; i < p->ndoses; i++) {
		const struct page_dose *d = &p->doses[i];
		double h0, h1, h2, h3, h;

		h0 = text(cr, p, x[0] + 5, y + 5, w[0] - 10, d->num_ja, 11, false, 0, LEFT);
		h0 += 1 + text(cr, p, x[0] + 5, y + 6 + h0, w[0] - 10, d->num_en, 8, false, GREY, LEFT);
		h1 = text(cr, p, x[1] + 5, y + 5, w[1] - 10, d->date_ja, 11, false, 0, LEFT);
		h1 += 1 + text(cr, p, x[1] + 5, y + 6 + h1, w[1] - 10, d->date_en, 8, false, GREY, LEFT);
		h2 = text(cr, p, x[2] + 5, y + 5, x[3] - x[2] - 10, d->product, 11, false, 0, LEFT);
		if (d->maker[0] != '\0') {
			h2 += 1 + text(cr, p, x[2] + 5, y + 6 + h2, x[3] - x[2] - 10, d->maker, 8, false,
				   GREY, LEFT);
		}
		h3 = text(cr, p, x[3] + 5, y + 5, w[3] - 10, d->lot, 11, false, 0, LEFT);
		h = h0;
		h = h1 > h ? h1 : h;
		h = h2 > h ? h2 : h;
		h = h3 > h ? h3 : h;
		y += h + 8;
		hline(cr, x[0], x[4], y, RULE);
	}
	cairo_set_source_rgb(cr, 0, 0, 0);
	for (int i = 1; i < 4; i++) {
		vline(cr, x[i], ytop, y);
	}
	return y;
}

static int draw_page(cairo_t *cr, const struct page *p)
{
	const struct kiosk_certificate *c = p->c;
	double y = TOP;
	double cw = A4_W - 2 * MARGIN;

	/* preflight() chose the name's font before any surface existed */
	if (p->name_font == NULL) {
		return KIOSK_ERR_GLYPH_MISSING;
	}
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);

	y += text(cr, p, MARGIN, y, cw, "新型コロナウイルス感染症予防接種証明書", 18, true, 0,
		  CENTER);
	y += 3;
	y += text(cr, p, MARGIN, y, cw, "Vaccination Certificate for COVID-19", 13, false, 0,
		  CENTER);
	y += 8;
	{
		const char *ja = p->overseas ? "海外用及び日本国内用" : "日本国内用";
		const char *en = p->overseas ? "For overseas travel and use in Japan"
					     : "For use in Japan";
		double bw = 250, bx = (A4_W - bw) / 2, h;

		h = text(cr, p, bx, y + 4, bw, ja, 11.5, true, 0, CENTER);
		h += text(cr, p, bx, y + 4 + h, bw, en, 8.5, false, GREY, CENTER);
		cairo_set_source_rgb(cr, 0, 0, 0);
		cairo_set_line_width(cr, 1.0);
		cairo_rectangle(cr, bx, y, bw, h + 8);
		cairo_stroke(cr);
		y += h + 8 + 9;
	}

	y = section(cr, p, y, "接種者  Vaccinated person");
	{
		struct cell name = { "氏名", "Name", p->name, NULL, true, 15 };
		struct cell birth = { "生年月日", "Date of birth", p->birth_ja, p->birth_en, false, 0 };

		if (p->overseas) {
			struct cell romaji = { "氏名（ローマ字）", "Name (Roman letters)",
					       p->romaji[0] != '\0' ? p->romaji : "-", NULL, true, 13 };
			struct cell pass = { "旅券番号", "Passport No.",
					     c->passport[0] != '\0' ? c->passport : "-", NULL, false,
					     0 };
			struct cell nat = { "国籍・地域", "Nationality / Region",
					    c->nationality[0] != '\0' ? c->nationality : "-", NULL,
					    false, 0 };

			y = row(cr, p, y, &name, NULL);
			y = row(cr, p, y, &romaji, &nat);
			y = row(cr, p, y, &birth, &pass);
		} else {
			y = row(cr, p, y, &name, NULL);
			y = row(cr, p, y, &birth, NULL);
		}
	}
	y += 9;

	y = section(cr, p, y, "接種記録  Vaccination record");
	y = dose_table(cr, p, y);
	if (c->doses_on_record > c->dose_count) {
		y += 3;
		y += text(cr, p, MARGIN, y, cw,
			  "※本証明書発行者が保存している接種記録のうち直近5回分が記載されます。", 8.5,
			  false, 0, LEFT);
		y += text(cr, p, MARGIN, y, cw,
			  "Only the 5 most recent vaccinations on the issuer's record are shown.", 7.5,
			  false, GREY, LEFT);
	}
	y += 9;

	y = section(cr, p, y, "証明書  Certificate");
	{
		struct cell id = { "証明書ID", "Certificate ID", c->certificate_id,
				   p->overseas && c->vds.present && c->vds.uvci[0] != '\0' ?
				   c->vds.uvci : NULL, false, 0 };
		struct cell issued = { "発行年月日", "Date of issue", p->issued_ja, p->issued_en,
				       false, 0 };
		struct cell issuer = { "発行者", "Issued by", p->issuer, p->issuer_en, false, 0 };

		y = row(cr, p, y, &id, &issued);
		y = row(cr, p, y, &issuer, NULL);
	}
	y += 12;

	/* QR codes, captions under each */
	{
		double shc_x = MARGIN, qy = y, hs, hv = 0, cap_y;
		double note_x, note_w;

		hs = draw_qr(cr, p, &p->shc_img, shc_x, qy, RENDER_SHC_MIN_MM);
		note_x = shc_x + hs + 18;
		note_w = A4_W - MARGIN - note_x;
		if (p->overseas) {
			unsigned dpm = render_qr_dots_per_module(p->vds.width, p->grid_dpi,
								 RENDER_VDSNC_MIN_MM);
			double vside = (double)dpm * PT_PER_IN / p->grid_dpi *
				       (p->vds.width + 2 * RENDER_QR_QUIET);
			double vx = A4_W - MARGIN - vside;

			hv = draw_qr(cr, p, &p->vds_img, vx, qy, RENDER_VDSNC_MIN_MM);
			note_w = vx - 18 - note_x;
		}
		/* each caption right under its code */
		cap_y = qy + hs + 1;
		text(cr, p, shc_x, cap_y, hs, "SMART Health Card", 9, true, 0, CENTER);
		text(cr, p, shc_x, cap_y + 13, hs, "二次元コード / QR code", 8, false, GREY, CENTER);
		if (p->overseas) {
			double vx = A4_W - MARGIN - hv;

			cap_y = qy + hv + 1;
			text(cr, p, vx, cap_y, hv, "ICAO VDS-NC", 9, true, 0, CENTER);
			text(cr, p, vx, cap_y + 13, hv, "海外用 / For travel", 8, false, GREY,
			     CENTER);
		}
		{
			double ny = qy + 4;

			ny += text(cr, p, note_x, ny, note_w, "二次元コードの確認方法", 9.5, true, 0,
				   LEFT);
			ny += 2;
			ny += text(cr, p, note_x, ny, note_w,
				   p->overseas ?
				   "二次元コードには、この証明書の内容と発行者の電子署名が記録されています。"
				   "SMART Health Card または ICAO VDS-NC に対応した読取アプリで読み取ると、"
				   "内容が改ざんされていないことを確認できます。" :
				   "二次元コードには、この証明書の内容と発行者の電子署名が記録されています。"
				   "SMART Health Card に対応した読取アプリで読み取ると、"
				   "内容が改ざんされていないことを確認できます。",
				   8.5, false, 0, LEFT);
			ny += 3;
			(void)text(cr, p, note_x, ny, note_w,
				   p->overseas ?
				   "The QR codes hold this certificate's data and the issuer's "
				   "digital signature. Scan them with an app that reads SMART Health "
				   "Cards or ICAO VDS-NC to confirm that the data has not been "
				   "altered." :
				   "The QR code holds this certificate's data and the issuer's "
				   "digital signature. Scan it with an app that reads SMART Health "
				   "Cards to confirm that the data has not been altered.",
				   7.5, false, GREY, LEFT);
		}
	}
	if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
		return KIOSK_ERR_RENDER;
	}
	return KIOSK_OK;
}

/* --- surfaces ---------------------------------------------------------------- */

struct sink {
	struct render_buf *out;
	int rc;
};

static cairo_status_t sink_write(void *closure, const unsigned char *data, unsigned int length)
{
	struct sink *s = closure;
	int rc = render_buf_append(s->out, data, length);

	if (rc != KIOSK_OK) {
		if (s->rc == KIOSK_OK) {
			s->rc = rc;
		}
		return CAIRO_STATUS_WRITE_ERROR;
	}
	return CAIRO_STATUS_SUCCESS;
}

static void page_free(struct page *p, size_t alloc)
{
	if (p == NULL) {
		return;
	}
	qr_img_free(&p->shc_img);
	qr_img_free(&p->vds_img);
	render_qr_free(&p->shc);
	render_qr_free(&p->vds);
	render_wiped_free(p, alloc);
}

static int page_setup(const struct kiosk_certificate *c, const char *vj, size_t vlen,
		      const struct render_opts *o, unsigned grid_dpi, struct page **out,
		      size_t *alloc)
{
	struct page *p;
	int rc;

	*out = NULL;
	p = render_wiped_alloc(sizeof(*p), alloc);
	if (p == NULL) {
		return KIOSK_ERR_NO_MEMORY;
	}
	p->c = c;
	p->o = o;
	p->font = o->font_family != NULL ? o->font_family : RENDER_DEFAULT_FONT;
	p->grid_dpi = grid_dpi;
	rc = prepare(p);
	if (rc != KIOSK_OK) {
		goto out;
	}
	if (c->qr_text_len == 0 || c->qr_text_len > CERT_QR_TEXT_MAX) {
		rc = KIOSK_ERR_CERT_FORMAT;
		goto out;
	}
	rc = render_qr_shc(c->qr_text, c->qr_text_len, o->shc_ecc, &p->shc);
	if (rc != KIOSK_OK) {
		goto out;
	}
	rc = qr_img_setup(&p->shc_img, &p->shc);
	if (rc != KIOSK_OK) {
		goto out;
	}
	if (p->overseas) {
		if (vj == NULL || vlen == 0 || !c->vds.present) {
			rc = KIOSK_ERR_CERT_FORMAT;
			goto out;
		}
		rc = render_qr_vdsnc(vj, vlen, o->vdsnc_ecc, &p->vds);
		if (rc != KIOSK_OK) {
			goto out;
		}
		rc = qr_img_setup(&p->vds_img, &p->vds);
		if (rc != KIOSK_OK) {
			goto out;
		}
	}
out:
	if (rc != KIOSK_OK) {
		page_free(p, *alloc);
		return rc;
	}
	*out = p;
	return KIOSK_OK;
}

static int check_args(const struct kiosk_certificate *c, const struct render_opts *o,
		      const struct render_buf *out)
{
	if (c == NULL || o == NULL || out == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (c->type != CERT_TYPE_DOMESTIC && c->type != CERT_TYPE_OVERSEAS) {
		return KIOSK_ERR_CERT_FORMAT;
	}
	if (o->printer_dpi > 4800) {
		return KIOSK_ERR_INVALID_ARG;
	}
	return KIOSK_OK;
}

/* A throwaway context for the font check: nothing is drawn before it passes. */
static int preflight(struct page *p)
{
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_A8, 1, 1);
	cairo_t *cr = cairo_create(s);
	int rc = cairo_status(cr) == CAIRO_STATUS_SUCCESS ? choose_name_font(cr, p)
							  : KIOSK_ERR_RENDER;

	cairo_destroy(cr);
	cairo_surface_destroy(s);
	return rc;
}

int render_certificate_pdf(const struct kiosk_certificate *c, const char *vdsnc_json,
			   size_t vdsnc_len, const struct render_opts *o, struct render_buf *out)
{
	struct page *p = NULL;
	size_t alloc = 0;
	struct sink sink;
	cairo_surface_t *s = NULL;
	cairo_t *cr = NULL;
	int rc;

	rc = check_args(c, o, out);
	if (rc != KIOSK_OK) {
		return rc;
	}
	out->len = 0;
	rc = page_setup(c, vdsnc_json, vdsnc_len, o,
			o->printer_dpi != 0 ? o->printer_dpi : RENDER_DEFAULT_DPI, &p, &alloc);
	if (rc != KIOSK_OK) {
		return rc;
	}
	rc = preflight(p);
	if (rc != KIOSK_OK) {
		goto out;
	}
	sink.out = out;
	sink.rc = KIOSK_OK;
	s = cairo_pdf_surface_create_for_stream(sink_write, &sink, A4_W, A4_H);
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
		rc = KIOSK_ERR_RENDER;
		goto out;
	}
	/* Deterministic bytes: no creation/modification date. */
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, "");
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_MOD_DATE, "");
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE,
				       "Vaccination Certificate for COVID-19");
	cr = cairo_create(s);
	rc = draw_page(cr, p);
	if (rc != KIOSK_OK) {
		goto out;
	}
	cairo_show_page(cr);
	cairo_destroy(cr);
	cr = NULL;
	cairo_surface_finish(s);
	if (sink.rc != KIOSK_OK) {
		rc = sink.rc;
	} else if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
		rc = KIOSK_ERR_RENDER;
	}
out:
	if (cr != NULL) {
		cairo_destroy(cr);
	}
	if (s != NULL) {
		cairo_surface_destroy(s);
	}
	page_free(p, alloc);
	if (rc != KIOSK_OK) {
		render_buf_free(out);
	}
	return rc;
}

int render_certificate_png(const struct kiosk_certificate *c, const char *vdsnc_json,
			   size_t vdsnc_len, const struct render_opts *o, unsigned dpi,
			   struct render_buf *out)
{
	struct page *p = NULL;
	size_t alloc = 0, pix_alloc = 0;
	unsigned char *pix = NULL;
	struct sink sink;
	cairo_surface_t *s = NULL;
	cairo_t *cr = NULL;
	int w, h, stride;
	int rc;

	rc = check_args(c, o, out);
	if (rc != KIOSK_OK) {
		return rc;
	}
	if (dpi < 72 || dpi > 1200) {
		return KIOSK_ERR_INVALID_ARG;
	}
	out->len = 0;
	rc = page_setup(c, vdsnc_json, vdsnc_len, o, dpi, &p, &alloc);
	if (rc != KIOSK_OK) {
		return rc;
	}
	rc = preflight(p);
	if (rc != KIOSK_OK) {
		goto out;
	}
	w = (int)(A4_W * dpi / PT_PER_IN + 0.5);
	h = (int)(A4_H * dpi / PT_PER_IN + 0.5);
	stride = cairo_format_stride_for_width(CAIRO_FORMAT_RGB24, w);
	if (stride <= 0) {
		rc = KIOSK_ERR_RENDER;
		goto out;
	}
	pix = render_wiped_alloc((size_t)stride * (size_t)h, &pix_alloc);
	if (pix == NULL) {
		rc = KIOSK_ERR_NO_MEMORY;
		goto out;
	}
	s = cairo_image_surface_create_for_data(pix, CAIRO_FORMAT_RGB24, w, h, stride);
	cr = cairo_create(s);
	if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
		rc = KIOSK_ERR_RENDER;
		goto out;
	}
	cairo_scale(cr, dpi / PT_PER_IN, dpi / PT_PER_IN);
	rc = draw_page(cr, p);
	if (rc != KIOSK_OK) {
		goto out;
	}
	cairo_surface_flush(s);
	sink.out = out;
	sink.rc = KIOSK_OK;
	if (cairo_surface_write_to_png_stream(s, sink_write, &sink) != CAIRO_STATUS_SUCCESS) {
		rc = sink.rc != KIOSK_OK ? sink.rc : KIOSK_ERR_RENDER;
	}
out:
	if (cr != NULL) {
		cairo_destroy(cr);
	}
	if (s != NULL) {
		cairo_surface_finish(s);
		cairo_surface_destroy(s);
	}
	render_wiped_free(pix, pix_alloc);
	page_free(p, alloc);
	if (rc != KIOSK_OK) {
		render_buf_free(out);
	}
	return rc;
}

int render_check_name_glyphs(const struct kiosk_certificate *c, const struct render_opts *o)
{
	struct page *p;
	size_t alloc;
	int rc;

	if (c == NULL || o == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	p = render_wiped_alloc(sizeof(*p), &alloc);
	if (p == NULL) {
		return KIOSK_ERR_NO_MEMORY;
	}
	p->c = c;
	p->o = o;
	p->font = o->font_family != NULL ? o->font_family : RENDER_DEFAULT_FONT;
	rc = fmt_name(p);
	if (rc == KIOSK_OK) {
		rc = preflight(p);
	}
	page_free(p, alloc);
	return rc;
}

void render_opts_init(struct render_opts *o)
{
	memset(o, 0, sizeof(*o));
}

int render_warm_up(const struct render_opts *o)
{
	static const char sample[] = "新型コロナウイルス感染症予防接種証明書 Vaccination 0123456789";
	struct page p;
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 64, 64);
	cairo_t *cr = cairo_create(s);
	int rc = KIOSK_OK;

	memset(&p, 0, sizeof(p));
	p.o = o;
	p.font = o != NULL && o->font_family != NULL ? o->font_family : RENDER_DEFAULT_FONT;
	p.grid_dpi = RENDER_DEFAULT_DPI;
	if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
		rc = KIOSK_ERR_RENDER;
	} else {
		(void)text(cr, &p, 0, 0, 600, sample, 12, false, 0, LEFT);
		(void)text(cr, &p, 0, 0, 600, sample, 12, true, 0, LEFT);
		/* the name's fallback family too (bold, as names are drawn) */
		p.font = o != NULL && o->name_fallback_family != NULL ? o->name_fallback_family
								      : RENDER_DEFAULT_NAME_FALLBACK;
		if (p.font[0] != '\0') {
			(void)text(cr, &p, 0, 0, 600, sample, 12, true, 0, LEFT);
		}
	}
	cairo_destroy(cr);
	cairo_surface_destroy(s);
	return rc;
}

void render_shutdown(void)
{
	pango_cairo_font_map_set_default(NULL);
	cairo_debug_reset_static_data();
	FcFini();
}
