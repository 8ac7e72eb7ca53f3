/* SPDX-License-Identifier: MIT */
/*
 * Display HAL core: backend lookup, the checks every backend relies on (a
 * sane config, screenshots refused on production boards, a well-formed
 * frame), and thin dispatch wrappers (a NULL op is KIOSK_ERR_NOT_SUPPORTED).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/platform_util.h>

#include "hal/display.h"
#include "kiosk/err.h"

#define DEFAULT_WIDTH 1280u
#define DEFAULT_HEIGHT 800u
/* Larger than any kiosk panel; keeps width * height * 4 far from overflow. */
#define MAX_SIDE 8192u

static const struct hal_display_ops *const backends[] = {
	&hal_display_sdl,
	&hal_display_tty,
	NULL,
};

const struct hal_display_ops *hal_display_backend(const char *name)
{
	if (name == NULL) {
		return NULL;
	}
	for (size_t i = 0; backends[i] != NULL; i++) {
		if (strcmp(backends[i]->name, name) == 0) {
			return backends[i];
		}
	}
	return NULL;
}

void hal_display_init(struct hal_display *d)
{
	if (d != NULL) {
		memset(d, 0, sizeof(*d));
	}
}

int hal_display_open(struct hal_display *d, const struct hal_display_ops *ops,
		     const struct hal_display_config *cfg)
{
	struct hal_display_config c;
	int rc;

	if (d == NULL || cfg == NULL || d->ops != NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (ops == NULL) {
		return KIOSK_ERR_CONFIG;
	}
	if (ops->open == NULL) {
		return KIOSK_ERR_NOT_SUPPORTED;
	}
	c = *cfg;
	if (c.screenshot_dir != NULL && c.screenshot_dir[0] == '\0') {
		c.screenshot_dir = NULL;
	}
	/* Checked here, not per backend: a production board never writes its
	 * screens (a confirmation screen shows a name) whatever the backend. */
	if (c.screenshot_dir != NULL && c.production) {
		return KIOSK_ERR_REFUSED;
	}
	c.width = c.width != 0 ? c.width : DEFAULT_WIDTH;
	c.height = c.height != 0 ? c.height : DEFAULT_HEIGHT;
	if (c.width > MAX_SIDE || c.height > MAX_SIDE) {
		return KIOSK_ERR_CONFIG;
	}
	hal_display_init(d);
	if (ops->priv_size > 0) {
		d->priv = calloc(1, ops->priv_size);
		if (d->priv == NULL) {
			return KIOSK_ERR_NO_MEMORY;
		}
	}
	d->ops = ops;
	d->width = c.width;
	d->height = c.height;
	rc = ops->open(d->priv, &c);
	if (rc != 0) {
		hal_display_close(d);
	}
	return rc;
}

void hal_display_close(struct hal_display *d)
{
	if (d == NULL || d->ops == NULL) {
		return;
	}
	if (d->ops->close != NULL) {
		d->ops->close(d->priv);
	}
	if (d->priv != NULL) {
		mbedtls_platform_zeroize(d->priv, d->ops->priv_size);
		free(d->priv);
	}
	mbedtls_platform_zeroize(d, sizeof(*d));
}

static bool frame_ok(const struct hal_display_frame *f)
{
	if (f == NULL || f->pixels == NULL || f->width <= 0 || f->height <= 0 ||
	    (unsigned)f->width > MAX_SIDE || (unsigned)f->height > MAX_SIDE) {
		return false;
	}
	/* cairo's ARGB32 rows: 4 bytes a pixel, stride a multiple of 4. */
	if (f->stride < f->width * 4 || f->stride % 4 != 0) {
		return false;
	}
	if (f->n_regions > HAL_DISPLAY_REGIONS_MAX || (f->n_regions > 0 && f->regions == NULL)) {
		return false;
	}
	for (size_t i = 0; i < f->n_regions; i++) {
		const struct hal_display_region *r = &f->regions[i];

		if (r->w < 0 || r->h < 0 || memchr(r->id, '\0', sizeof(r->id)) == NULL) {
			return false;
		}
	}
	return true;
}

int hal_display_present(struct hal_display *d, const struct kiosk_screen *s,
			const struct hal_display_frame *f)
{
	int rc;

	if (d == NULL || d->ops == NULL || s == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (d->ops->wants_pixels && !frame_ok(f)) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (s->n_buttons > KIOSK_SCREEN_BUTTONS_MAX) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (d->ops->present == NULL) {
		return KIOSK_ERR_NOT_SUPPORTED;
	}
	rc = d->ops->present(d->priv, s, d->ops->wants_pixels ? f : NULL);
	if (rc == 0) {
		d->presented++;
	}
	return rc;
}

int hal_display_poll(struct hal_display *d, struct hal_input_event *ev, int timeout_ms)
{
	if (ev != NULL) {
		memset(ev, 0, sizeof(*ev));
	}
	if (d == NULL || d->ops == NULL || ev == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (d->ops->poll == NULL) {
		return KIOSK_ERR_NOT_SUPPORTED;
	}
	/* Never an unbounded wait: a negative timeout means "just look". */
	return d->ops->poll(d->priv, ev, timeout_ms > 0 ? timeout_ms : 0);
}
