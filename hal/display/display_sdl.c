/* SPDX-License-Identifier: MIT */
/*
 * SDL2 display: full screen on KMS/DRM on a kiosk, any SDL video driver
 * elsewhere (SDL_VIDEODRIVER=offscreen in tests). The firmware's frame is
 * letterboxed into the window; a finger lifted (or a left click released)
 * inside a button region is a tap on that button. Optional screenshots:
 * every frame as <dir>/NNNN-<screen>.png (non-production boards only).
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sys/stat.h>

#include <SDL.h>
#include <cairo.h>
#include <mbedtls/platform_util.h>

#include "hal/display.h"
#include "kiosk/err.h"
#include "kiosk/screen.h"

struct sdl_priv {
	bool sdl_up;
	SDL_Window *win;
	SDL_Renderer *ren;
	SDL_Texture *tex;
	int tex_w, tex_h;
	/* the shown frame's size and the button regions in frame pixels */
	int frame_w, frame_h;
	struct hal_display_region regions[HAL_DISPLAY_REGIONS_MAX];
	size_t n_regions;
	char shot_dir[PATH_MAX];
	unsigned shot_seq;
	void *lock_px;  /* SDL_LockTexture's answer, kept here: GCC 12 flags locals */
	int lock_pitch;
};

/* Overwrite the texture's pixels before it goes: the last frame may have
 * shown the holder's name. A texture that cannot be locked has no CPU copy. */
static void wipe_texture(struct sdl_priv *p)
{
	if (p->tex == NULL) {
		return;
	}
	if (SDL_LockTexture(p->tex, NULL, &p->lock_px, &p->lock_pitch) == 0) {
		mbedtls_platform_zeroize(p->lock_px, (size_t)p->lock_pitch * (size_t)p->tex_h);
		SDL_UnlockTexture(p->tex);
	}
	p->lock_px = NULL;
	SDL_DestroyTexture(p->tex);
	p->tex = NULL;
	p->tex_w = 0;
	p->tex_h = 0;
}

static void sdl_close(void *priv)
{
	struct sdl_priv *p = priv;

	wipe_texture(p);
	if (p->ren != NULL) {
		/* Replace what the window (and its back buffer) shows. */
		SDL_SetRenderDrawColor(p->ren, 0, 0, 0, 255);
		SDL_RenderClear(p->ren);
		SDL_RenderPresent(p->ren);
		SDL_DestroyRenderer(p->ren);
		p->ren = NULL;
	}
	if (p->win != NULL) {
		SDL_DestroyWindow(p->win);
		p->win = NULL;
	}
	if (p->sdl_up) {
		SDL_StopTextInput();
		SDL_QuitSubSystem(SDL_INIT_VIDEO);
		p->sdl_up = false;
	}
	p->n_regions = 0;
}

static int prepare_shot_dir(struct sdl_priv *p, const char *dir)
{
	struct stat st;
	size_t n = strlen(dir);

	/* room for "/NNNN-<screen name>.png" */
	if (n + 64 >= sizeof(p->shot_dir)) {
		return KIOSK_ERR_CONFIG;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		return KIOSK_ERR_IO;
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		return KIOSK_ERR_IO;
	}
	memcpy(p->shot_dir, dir, n + 1);
	return KIOSK_OK;
}

static bool is_headless(const char *driver)
{
	return driver != NULL && (strcmp(driver, "offscreen") == 0 || strcmp(driver, "dummy") == 0);
}

static int sdl_open(void *priv, const struct hal_display_config *cfg)
{
	struct sdl_priv *p = priv;
	Uint32 flags = SDL_WINDOW_SHOWN;
	int rc;

	if (cfg->screenshot_dir != NULL && cfg->screenshot_dir[0] != '\0') {
		if (cfg->production) {
			return KIOSK_ERR_REFUSED;
		}
		rc = prepare_shot_dir(p, cfg->screenshot_dir);
		if (rc != KIOSK_OK) {
			return rc;
		}
	}
	/* The driver comes from SDL_VIDEODRIVER: kmsdrm on a kiosk, offscreen in tests. */
	if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
		fprintf(stderr, "display: sdl: %s\n", SDL_GetError());
		return KIOSK_ERR_IO;
	}
	p->sdl_up = true;
	if (is_headless(SDL_GetCurrentVideoDriver())) {
		/* No screen to accelerate: SDL's software renderer, not Mesa's
		 * (which leaks at exit and slows tests down). The environment
		 * (SDL_RENDER_DRIVER, ...) still wins over these defaults. */
		SDL_SetHintWithPriority(SDL_HINT_RENDER_DRIVER, "software", SDL_HINT_DEFAULT);
		SDL_SetHintWithPriority(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0", SDL_HINT_DEFAULT);
	}
	if (cfg->fullscreen) {
		flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
	}
	p->win = SDL_CreateWindow("kiosk", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED,
				  (int)cfg->width, (int)cfg->height, flags);
	if (p->win == NULL) {
		fprintf(stderr, "display: sdl window: %s\n", SDL_GetError());
		return KIOSK_ERR_IO;
	}
	p->ren = SDL_CreateRenderer(p->win, -1, 0);
	if (p->ren == NULL) {
		fprintf(stderr, "display: sdl renderer: %s\n", SDL_GetError());
		return KIOSK_ERR_IO;
	}
	if (cfg->fullscreen) {
		SDL_ShowCursor(SDL_DISABLE);
	}
	/* Keyboards (a technician's, a USB keypad) may type PIN digits. */
	SDL_StartTextInput();
	p->frame_w = (int)cfg->width;
	p->frame_h = (int)cfg->height;
	return KIOSK_OK;
}

/* Where a frame of fw x fh lands in an area of aw x ah: as large as fits,
 * aspect kept, centred. */
static SDL_Rect fit(int aw, int ah, int fw, int fh)
{
	SDL_Rect r;

	if ((int64_t)aw * fh <= (int64_t)ah * fw) {
		r.w = aw;
		r.h = (int)((int64_t)fh * aw / fw);
	} else {
		r.h = ah;
		r.w = (int)((int64_t)fw * ah / fh);
	}
	r.x = (aw - r.w) / 2;
	r.y = (ah - r.h) / 2;
	return r;
}

static int upload(struct sdl_priv *p, const struct hal_display_frame *f)
{
	void *px;
	int pitch;

	if (p->tex != NULL && (p->tex_w != f->width || p->tex_h != f->height)) {
		wipe_texture(p);
	}
	if (p->tex == NULL) {
		/* cairo's ARGB32 is a native-endian 32-bit ARGB word: SDL's ARGB8888. */
		p->tex = SDL_CreateTexture(p->ren, SDL_PIXELFORMAT_ARGB8888,
					   SDL_TEXTUREACCESS_STREAMING, f->width, f->height);
		if (p->tex == NULL) {
			return KIOSK_ERR_IO;
		}
		SDL_SetTextureBlendMode(p->tex, SDL_BLENDMODE_NONE);
		p->tex_w = f->width;
		p->tex_h = f->height;
	}
	if (SDL_LockTexture(p->tex, NULL, &px, &pitch) != 0) {
		return KIOSK_ERR_IO;
	}
	for (int y = 0; y < f->height; y++) {
		memcpy((uint8_t *)px + (size_t)y * (size_t)pitch,
		       f->pixels + (size_t)y * (size_t)f->stride, (size_t)f->width * 4);
	}
	SDL_UnlockTexture(p->tex);
	return KIOSK_OK;
}

static int screenshot(struct sdl_priv *p, const struct kiosk_screen *s,
		      const struct hal_display_frame *f)
{
	char path[PATH_MAX];
	const char *name = kiosk_screen_name(s->id);
	cairo_surface_t *surf;
	cairo_status_t st;
	int n;

	if (name == NULL || name[0] == '\0') {
		name = "screen";
	}
	n = snprintf(path, sizeof(path), "%s/%04u-%s.png", p->shot_dir, p->shot_seq + 1, name);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		return KIOSK_ERR_IO;
	}
	/* cairo only reads the caller's pixels here (no copy of ours to wipe). */
	surf = cairo_image_surface_create_for_data((unsigned char *)(uintptr_t)f->pixels,
						   CAIRO_FORMAT_ARGB32, f->width, f->height,
						   f->stride);
	st = cairo_surface_status(surf);
	if (st == CAIRO_STATUS_SUCCESS) {
		st = cairo_surface_write_to_png(surf, path);
	}
	cairo_surface_destroy(surf);
	if (st != CAIRO_STATUS_SUCCESS) {
		return KIOSK_ERR_IO;
	}
	p->shot_seq++;
	return KIOSK_OK;
}

static int sdl_present(void *priv, const struct kiosk_screen *s, const struct hal_display_frame *f)
{
	struct sdl_priv *p = priv;
	SDL_Rect dst;
	int ow, oh;
	int rc;

	rc = upload(p, f);
	if (rc != KIOSK_OK) {
		return rc;
	}
	if (SDL_GetRendererOutputSize(p->ren, &ow, &oh) != 0 || ow <= 0 || oh <= 0) {
		return KIOSK_ERR_IO;
	}
	dst = fit(ow, oh, f->width, f->height);
	SDL_SetRenderDrawColor(p->ren, 0, 0, 0, 255);
	SDL_RenderClear(p->ren);
	if (SDL_RenderCopy(p->ren, p->tex, NULL, &dst) != 0) {
		return KIOSK_ERR_IO;
	}
	SDL_RenderPresent(p->ren);
	p->frame_w = f->width;
	p->frame_h = f->height;
	memcpy(p->regions, f->regions, f->n_regions * sizeof(f->regions[0]));
	for (size_t i = 0; i < f->n_regions; i++) {
		p->regions[i].id[sizeof(p->regions[i].id) - 1] = '\0';
	}
	p->n_regions = f->n_regions;
	if (p->shot_dir[0] != '\0') {
		return screenshot(p, s, f);
	}
	return KIOSK_OK;
}

/* The region under window point (wx, wy), or NULL. */
static const struct hal_display_region *hit(const struct sdl_priv *p, double wx, double wy)
{
	SDL_Rect box;
	double fx, fy;
	int ww, wh;

	SDL_GetWindowSize(p->win, &ww, &wh);
	if (ww <= 0 || wh <= 0 || p->frame_w <= 0 || p->frame_h <= 0) {
		return NULL;
	}
	box = fit(ww, wh, p->frame_w, p->frame_h);
	if (box.w <= 0 || box.h <= 0) {
		return NULL;
	}
	fx = (wx - box.x) * p->frame_w / box.w;
	fy = (wy - box.y) * p->frame_h / box.h;
	for (size_t i = 0; i < p->n_regions; i++) {
		const struct hal_display_region *r = &p->regions[i];

		if (fx >= r->x && fx < (double)r->x + r->w && fy >= r->y &&
		    fy < (double)r->y + r->h) {
			return r;
		}
	}
	return NULL;
}

static const struct hal_display_region *region_by_id(const struct sdl_priv *p, const char *id)
{
	for (size_t i = 0; i < p->n_regions; i++) {
		if (strcmp(p->regions[i].id, id) == 0) {
			return &p->regions[i];
		}
	}
	return NULL;
}

static int tap(struct hal_input_event *ev, const struct hal_display_region *r)
{
	if (r == NULL) {
		return 0;
	}
	ev->kind = HAL_INPUT_TAP;
	snprintf(ev->id, sizeof(ev->id), "%s", r->id);
	return 1;
}

/* 1 when @e is input for the flow (filled in @ev), 0 when it is not. */
static int translate(const struct sdl_priv *p, const SDL_Event *e, struct hal_input_event *ev)
{
	int ww, wh;

	switch (e->type) {
	case SDL_QUIT:
		ev->kind = HAL_INPUT_QUIT;
		return 1;
	case SDL_MOUSEBUTTONUP:
		/* SDL also reports a touch as a mouse click: count it once, as a finger. */
		if (e->button.button != SDL_BUTTON_LEFT || e->button.which == SDL_TOUCH_MOUSEID) {
			return 0;
		}
		return tap(ev, hit(p, e->button.x, e->button.y));
	case SDL_FINGERUP:
		/* finger coordinates are 0..1 across the window */
		SDL_GetWindowSize(p->win, &ww, &wh);
		return tap(ev, hit(p, (double)e->tfinger.x * ww, (double)e->tfinger.y * wh));
	case SDL_TEXTINPUT:
		/* one typed digit; only when the shown screen has that key */
		if (e->text.text[0] >= '0' && e->text.text[0] <= '9' && e->text.text[1] == '\0') {
			return tap(ev, region_by_id(p, e->text.text));
		}
		return 0;
	case SDL_KEYDOWN:
		if (e->key.keysym.sym == SDLK_RETURN || e->key.keysym.sym == SDLK_KP_ENTER) {
			return tap(ev, region_by_id(p, KIOSK_BTN_OK));
		}
		if (e->key.keysym.sym == SDLK_BACKSPACE) {
			return tap(ev, region_by_id(p, KIOSK_BTN_DELETE));
		}
		return 0;
	default:
		return 0;
	}
}

static int sdl_poll(void *priv, struct hal_input_event *ev, int timeout_ms)
{
	struct sdl_priv *p = priv;
	Uint64 deadline = SDL_GetTicks64() + (Uint64)timeout_ms;
	unsigned late = 0;
	SDL_Event e;

	for (;;) {
		Uint64 now = SDL_GetTicks64();
		int wait = now < deadline ? (int)(deadline - now) : 0;
		int got = wait > 0 ? SDL_WaitEventTimeout(&e, wait) : SDL_PollEvent(&e);

		if (got) {
			if (translate(p, &e, ev)) {
				return 1;
			}
			/* past the deadline, look through what is queued, but not forever
			 * (a stream of mouse motion must not hold the caller) */
			if (wait == 0 && ++late > 256) {
				return 0;
			}
			continue;
		}
		if (wait == 0 || SDL_GetTicks64() >= deadline) {
			return 0;
		}
	}
}

const struct hal_display_ops hal_display_sdl = {
	.name = "sdl",
	.priv_size = sizeof(struct sdl_priv),
	.wants_pixels = true,
	.open = sdl_open,
	.close = sdl_close,
	.present = sdl_present,
	.poll = sdl_poll,
};
