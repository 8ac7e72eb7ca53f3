/* SPDX-License-Identifier: MIT */
/*
 * Rendering the verified certificate: its QR codes (libqrencode) and the A4
 * page (cairo + pango) as PDF for the printer and PNG for the preview.
 *
 * Personal data rules:
 * - The QR module matrix, the PDF and the PNG all carry personal data. They are
 *   kept only in memory this module wipes: QR matrices and growing output
 *   buffers are mmap'ed, MADV_DONTDUMP, mlock'ed when the limit allows, and
 *   zeroised before unmap; the PNG's pixel surface likewise. An output buffer
 *   may instead be a fixed block the caller took from the vault.
 * - libqrencode's own copy of the matrix is zeroised before QRcode_free().
 *   Known residue (not reachable through libqrencode's API): its input list and
 *   bit streams, and cairo/pango's glyph caches, are freed without wiping.
 * - Nothing is written to disk; nothing here logs.
 * - The PDF carries no creation/modification date and no random id: the same
 *   model and options give the same bytes.
 */
#ifndef KIOSK_RENDER_H
#define KIOSK_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kiosk/certificate.h"

#define RENDER_QR_QUIET 4          /* quiet zone, modules, each side */
#define RENDER_SHC_MAX_VERSION 22  /* SMART Health Cards: 40 mm printable */
#define RENDER_QR_MAX_VERSION 40
#define RENDER_SHC_MIN_MM 40       /* printed symbol (without quiet zone) at least this wide */
#define RENDER_VDSNC_MIN_MM 50
#define RENDER_DEFAULT_DPI 600     /* printer resolution when the board gives none */
#define RENDER_DEFAULT_FONT "IPAPGothic"  /* proportional; TrueType: small, fast PDF subsets */
#define RENDER_DEFAULT_NAME_FALLBACK "Noto Sans CJK JP" /* widest kanji coverage (CFF) */

/** QR error-correction level. RENDER_ECC_AUTO = the module's default policy. */
enum render_ecc { RENDER_ECC_AUTO = 0, RENDER_ECC_L, RENDER_ECC_M, RENDER_ECC_Q, RENDER_ECC_H };

/** An encoded QR symbol. Personal data: release with render_qr_free(). */
struct render_qr {
	unsigned version;    /* 1..40 */
	enum render_ecc ecc; /* the level used (never AUTO) */
	unsigned width;      /* modules per side, quiet zone excluded */
	uint8_t *modules;    /* width*width bytes, row-major, 1 = dark; wiped memory */
	size_t alloc;        /* bytes mapped for @modules (internal) */
};

/**
 * SMART Health Card QR: @text is "shc:/" + an even number of digits (pairs
 * <= 77). Encoded as two segments, "shc:/" in byte mode and the digits in
 * numeric mode, at the smallest version. Level: @force when not AUTO; else M
 * when the result is <= version 22, otherwise L.
 * @out is cleared first; on success it owns wiped memory (render_qr_free()).
 * @return 0; KIOSK_ERR_QR_TOO_LARGE (above version 22 at the level(s) allowed);
 *         KIOSK_ERR_CERT_FORMAT (not an shc:/ numeric text); KIOSK_ERR_INVALID_ARG;
 *         KIOSK_ERR_NO_MEMORY; KIOSK_ERR_RENDER.
 */
int render_qr_shc(const char *text, size_t len, enum render_ecc force, struct render_qr *out);

/**
 * ICAO VDS-NC QR: the seal's JSON text in byte mode, smallest version. Level:
 * @force when not AUTO; else M, or L when M does not fit version 40.
 * @return as render_qr_shc(), KIOSK_ERR_QR_TOO_LARGE above version 40.
 */
int render_qr_vdsnc(const char *json, size_t len, enum render_ecc force, struct render_qr *out);

/** Zeroise and release @qr's matrix; NULL-safe and idempotent. */
void render_qr_free(struct render_qr *qr);

/**
 * Whole printer dots per module so that @width modules print at least @min_mm
 * wide at @dpi (at least 1). 0 when an argument is 0.
 */
unsigned render_qr_dots_per_module(unsigned width, unsigned dpi, unsigned min_mm);

/** Bytes written by a render. */
struct render_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	bool fixed;   /* @data is the caller's (e.g. vault) memory: never grown, never unmapped */
	size_t alloc; /* bytes mapped (growing buffer; internal) */
};

/** A growing buffer in wiped memory (mmap'ed, mlock'ed when possible). Cannot fail. */
void render_buf_init(struct render_buf *b);

/** A fixed buffer over the caller's @mem (e.g. from kiosk_vault_alloc()); a render
 *  that does not fit returns KIOSK_ERR_BUFFER_TOO_SMALL. */
void render_buf_init_fixed(struct render_buf *b, void *mem, size_t cap);

/** Zeroise the bytes; unmap a growing buffer (a fixed one stays the caller's).
 *  NULL-safe and idempotent; @b can be reused after render_buf_init*(). */
void render_buf_free(struct render_buf *b);

/** Page options: board settings and the municipality's name (public data). */
struct render_opts {
	const char *font_family;       /* page text; NULL: RENDER_DEFAULT_FONT */
	const char *name_fallback_family; /* NULL: RENDER_DEFAULT_NAME_FALLBACK; "": none.
					* The NAME (kanji and romaji) is printed in ONE family
					* with font fallback disabled: font_family when it has
					* every character, else this one, else
					* KIOSK_ERR_GLYPH_MISSING */
	const char *municipality_name; /* e.g. "千代田区"; NULL: the 6-digit code is printed */
	const char *issuer_title;      /* e.g. "千代田区長"; NULL: municipality_name + "長" */
	const char *municipality_name_en; /* e.g. "Chiyoda City"; may be NULL */
	unsigned printer_dpi;          /* QR module grid of the PDF; 0: RENDER_DEFAULT_DPI */
	enum render_ecc shc_ecc;       /* board-forced level, AUTO = policy above */
	enum render_ecc vdsnc_ecc;
};

/** Defaults (all NULL / 0 / AUTO). Cannot fail. */
void render_opts_init(struct render_opts *o);

/**
 * The certificate page as a one-page A4 PDF into @out (appended after a reset
 * of out->len). QR modules are whole printer dots at @o->printer_dpi.
 * Nothing is drawn when the name's font check fails.
 * @c: a verified model (cert_shc_verify(), cert_set_issuance(); for overseas
 * also cert_vdsnc_verify()); an overseas model needs c->vds.present.
 * The VDS-NC QR is encoded from @vdsnc_json (the seal text as verified; may be
 * NULL for a domestic certificate).
 * On failure @out is wiped (render_buf_free()): no partial document survives.
 * @return 0; KIOSK_ERR_GLYPH_MISSING (the font lacks a character of the name);
 *         KIOSK_ERR_QR_TOO_LARGE; KIOSK_ERR_CERT_FORMAT (model inconsistent);
 *         KIOSK_ERR_BUFFER_TOO_SMALL (fixed @out); KIOSK_ERR_INVALID_ARG;
 *         KIOSK_ERR_NO_MEMORY; KIOSK_ERR_RENDER.
 */
int render_certificate_pdf(const struct kiosk_certificate *c, const char *vdsnc_json,
			   size_t vdsnc_len, const struct render_opts *o, struct render_buf *out);

/**
 * The same page as PNG (RGB) at @dpi (72..1200) into @out; the QR modules are
 * whole pixels at @dpi. The pixel surface lives in wiped memory.
 * @return as render_certificate_pdf().
 */
int render_certificate_png(const struct kiosk_certificate *c, const char *vdsnc_json,
			   size_t vdsnc_len, const struct render_opts *o, unsigned dpi,
			   struct render_buf *out);

/**
 * Check that @o's fonts can print the holder's names (kanji and romaji): one
 * family (font_family, else name_fallback_family) must have every character,
 * with font fallback disabled.
 * @return 0, KIOSK_ERR_GLYPH_MISSING, KIOSK_ERR_INVALID_ARG, KIOSK_ERR_RENDER.
 */
int render_check_name_glyphs(const struct kiosk_certificate *c, const struct render_opts *o);

/** Load the fonts once at start-up so the first certificate renders at full speed.
 *  @return 0 or KIOSK_ERR_RENDER. */
int render_warm_up(const struct render_opts *o);

/**
 * Release the process-wide font caches (pango's font map, cairo's static
 * data, fontconfig). Call once at exit, after every render (leak checkers see
 * no residue); a render after it loads the fonts again.
 */
void render_shutdown(void);

#endif /* KIOSK_RENDER_H */
