/* SPDX-License-Identifier: MIT */
/*
 * Display + touch HAL: one small ops table per backend (hal/display/display_<name>.c).
 *
 *   - sdl: SDL2 window, full screen on KMS/DRM on a kiosk, the "offscreen"
 *          video driver in tests. Shows the frame the firmware drew (cairo/pango,
 *          firmware/ui) and turns touches/clicks into the id of the button
 *          region under the finger. With a screenshot folder (non-production
 *          boards only) it writes every frame as NNNN-<screen>.png.
 *   - tty: text screens for QA and technicians; keys choose buttons (the
 *          first letter shown in [brackets], digits for the keypad).
 *          Personal fields of a screen (holder_*) are printed only when the
 *          output is a terminal, masked otherwise (so no log file gets them).
 *
 * Backends draw what they are given and report what was touched; they know
 * nothing of the flow.
 */
#ifndef HAL_DISPLAY_H
#define HAL_DISPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kiosk/screen.h"

#define HAL_DISPLAY_REGIONS_MAX 32

/* A touchable area of a frame, in frame pixels. */
struct hal_display_region {
	int x, y, w, h;
	char id[KIOSK_BUTTON_ID_MAX];
};

/* A frame drawn by the firmware: CAIRO_FORMAT_ARGB32 pixels (native-endian
 * 32-bit, premultiplied), plus where its buttons are. */
struct hal_display_frame {
	const uint8_t *pixels;
	int width, height, stride;
	const struct hal_display_region *regions;
	size_t n_regions;
};

struct hal_display_config {
	unsigned width, height;     /* 0: the backend's default (sdl 1280x800) */
	bool fullscreen;            /* sdl on a kiosk (KMS/DRM) */
	bool production;            /* screenshots refused */
	const char *screenshot_dir; /* NULL/"" = none; non-production only */
};

enum hal_input_kind { HAL_INPUT_NONE = 0, HAL_INPUT_TAP, HAL_INPUT_QUIT };

struct hal_input_event {
	enum hal_input_kind kind;
	char id[KIOSK_BUTTON_ID_MAX]; /* HAL_INPUT_TAP: the button id */
};

struct hal_display_ops {
	const char *name;
	size_t priv_size;   /* the core allocates and zeroes this much private state */
	bool wants_pixels;  /* present() needs a frame (the caller draws one) */
	int (*open)(void *priv, const struct hal_display_config *cfg);
	/** Release everything; must be safe after a failed open. */
	void (*close)(void *priv);
	/** Show @s; @f is the drawn frame for pixel backends, NULL for text ones. */
	int (*present)(void *priv, const struct kiosk_screen *s, const struct hal_display_frame *f);
	/** Wait at most @timeout_ms for input. @return 1 event, 0 none, <0 error. */
	int (*poll)(void *priv, struct hal_input_event *ev, int timeout_ms);
};

struct hal_display {
	const struct hal_display_ops *ops;
	void *priv;
	unsigned width, height; /* frame size the caller should draw (pixel backends) */
	unsigned presented;     /* frames shown since open */
};

extern const struct hal_display_ops hal_display_sdl;
extern const struct hal_display_ops hal_display_tty;

/** Backend by name ("sdl", "tty"); NULL when unknown. */
const struct hal_display_ops *hal_display_backend(const char *name);

void hal_display_init(struct hal_display *d);
/** @return 0, KIOSK_ERR_CONFIG (bad config / unknown backend), KIOSK_ERR_REFUSED
 *  (screenshots on a production board) or KIOSK_ERR_IO (no display). */
int hal_display_open(struct hal_display *d, const struct hal_display_ops *ops,
		     const struct hal_display_config *cfg);
void hal_display_close(struct hal_display *d);
int hal_display_present(struct hal_display *d, const struct kiosk_screen *s,
			const struct hal_display_frame *f);
int hal_display_poll(struct hal_display *d, struct hal_input_event *ev, int timeout_ms);
static inline bool hal_display_wants_pixels(const struct hal_display *d)
{
	return d->ops != NULL && d->ops->wants_pixels;
}

#endif /* HAL_DISPLAY_H */
