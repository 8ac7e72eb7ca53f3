/* SPDX-License-Identifier: MIT */
/*
 * Display HAL: the sdl backend on SDL's offscreen driver (taps from pushed
 * mouse, finger and key events, screenshots as PNGs, production refusal) and
 * the tty backend over pipes and a pseudo-terminal (keys, EOF, masking).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include <SDL.h>
#include <cairo.h>

#include "display_tty.h"
#include "hal/display.h"
#include "kiosk/err.h"
#include "kiosk/screen.h"

#ifdef DISPLAY_TEST_LOCAL_SCREEN_NAME
/* The UI library (firmware/ui) is not in this tree yet: the names we use. */
const char *kiosk_screen_name(enum kiosk_screen_id id)
{
	switch (id) {
	case KIOSK_SCREEN_IDLE:
		return "idle";
	case KIOSK_SCREEN_LANGUAGE:
		return "language";
	case KIOSK_SCREEN_PIN:
		return "pin";
	case KIOSK_SCREEN_CONFIRM:
		return "confirm";
	default:
		return "unknown";
	}
}

void kiosk_screen_add_button(struct kiosk_screen *s, const char *id, const char *label,
			     bool primary)
{
	struct kiosk_button *b;

	if (s->n_buttons >= KIOSK_SCREEN_BUTTONS_MAX) {
		return;
	}
	b = &s->buttons[s->n_buttons++];
	snprintf(b->id, sizeof(b->id), "%s", id);
	snprintf(b->label, sizeof(b->label), "%s", label);
	b->primary = primary;
}
#endif

#define W 640
#define H 400

/* A synthetic frame: one colour, and the regions given. */
struct test_frame {
	cairo_surface_t *surf;
	struct hal_display_region regions[4];
	struct hal_display_frame f;
};

static void frame_make(struct test_frame *t, double r, double g, double b)
{
	cairo_t *cr;

	memset(t, 0, sizeof(*t));
	t->surf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, W, H);
	assert_int_equal(cairo_surface_status(t->surf), CAIRO_STATUS_SUCCESS);
	cr = cairo_create(t->surf);
	cairo_set_source_rgb(cr, r, g, b);
	cairo_paint(cr);
	cairo_destroy(cr);
	cairo_surface_flush(t->surf);
	t->f.pixels = cairo_image_surface_get_data(t->surf);
	t->f.width = W;
	t->f.height = H;
	t->f.stride = cairo_image_surface_get_stride(t->surf);
	t->f.regions = t->regions;
}

static void frame_region(struct test_frame *t, const char *id, int x, int y, int w, int h)
{
	struct hal_display_region *r = &t->regions[t->f.n_regions++];

	r->x = x;
	r->y = y;
	r->w = w;
	r->h = h;
	snprintf(r->id, sizeof(r->id), "%s", id);
}

static void frame_free(struct test_frame *t)
{
	cairo_surface_destroy(t->surf);
}

static void screen_make(struct kiosk_screen *s, enum kiosk_screen_id id, const char *title)
{
	memset(s, 0, sizeof(*s));
	s->id = id;
	s->lang = KIOSK_LANG_EN;
	s->tries_left = -1;
	snprintf(s->title, sizeof(s->title), "%s", title);
}

static void push_click(int x, int y)
{
	SDL_Event e;

	memset(&e, 0, sizeof(e));
	e.type = SDL_MOUSEBUTTONDOWN;
	e.button.button = SDL_BUTTON_LEFT;
	e.button.state = SDL_PRESSED;
	e.button.clicks = 1;
	e.button.x = x;
	e.button.y = y;
	assert_int_equal(SDL_PushEvent(&e), 1);
	e.type = SDL_MOUSEBUTTONUP;
	e.button.state = SDL_RELEASED;
	assert_int_equal(SDL_PushEvent(&e), 1);
}

static void push_finger_up(float x, float y)
{
	SDL_Event e;

	memset(&e, 0, sizeof(e));
	e.type = SDL_FINGERUP;
	e.tfinger.touchId = 1;
	e.tfinger.fingerId = 1;
	e.tfinger.x = x;
	e.tfinger.y = y;
	assert_int_equal(SDL_PushEvent(&e), 1);
}

static void push_text(const char *t)
{
	SDL_Event e;

	memset(&e, 0, sizeof(e));
	e.type = SDL_TEXTINPUT;
	snprintf(e.text.text, sizeof(e.text.text), "%s", t);
	assert_int_equal(SDL_PushEvent(&e), 1);
}

static void push_key(SDL_Keycode k)
{
	SDL_Event e;

	memset(&e, 0, sizeof(e));
	e.type = SDL_KEYDOWN;
	e.key.state = SDL_PRESSED;
	e.key.keysym.sym = k;
	assert_int_equal(SDL_PushEvent(&e), 1);
}

static void test_backend_lookup(void **state)
{
	(void)state;
	assert_ptr_equal(hal_display_backend("sdl"), &hal_display_sdl);
	assert_ptr_equal(hal_display_backend("tty"), &hal_display_tty);
	assert_null(hal_display_backend("fb"));
	assert_null(hal_display_backend(NULL));
}

static void test_open_config_errors(void **state)
{
	struct hal_display_config cfg = { .width = W, .height = H };
	struct hal_display d;

	(void)state;
	hal_display_init(&d);
	assert_int_equal(hal_display_open(&d, NULL, &cfg), KIOSK_ERR_CONFIG);
	assert_int_equal(hal_display_open(&d, &hal_display_sdl, NULL), KIOSK_ERR_INVALID_ARG);
	cfg.width = 100000;
	assert_int_equal(hal_display_open(&d, &hal_display_sdl, &cfg), KIOSK_ERR_CONFIG);
	assert_null(d.ops);
}

static void test_production_refuses_screenshots(void **state)
{
	struct hal_display_config cfg = {
		.width = W, .height = H, .production = true, .screenshot_dir = "/tmp"
	};
	struct hal_display d;

	(void)state;
	hal_display_init(&d);
	assert_int_equal(hal_display_open(&d, &hal_display_sdl, &cfg), KIOSK_ERR_REFUSED);
	assert_null(d.ops);
	assert_int_equal(hal_display_open(&d, &hal_display_tty, &cfg), KIOSK_ERR_REFUSED);
	/* without screenshots a production board opens */
	cfg.screenshot_dir = "";
	assert_int_equal(hal_display_open(&d, &hal_display_sdl, &cfg), 0);
	hal_display_close(&d);
}

static void test_default_size(void **state)
{
	struct hal_display_config cfg = { 0 };
	struct hal_display d;

	(void)state;
	hal_display_init(&d);
	assert_int_equal(hal_display_open(&d, &hal_display_sdl, &cfg), 0);
	assert_int_equal(d.width, 1280);
	assert_int_equal(d.height, 800);
	assert_true(hal_display_wants_pixels(&d));
	hal_display_close(&d);
	assert_null(d.ops);
}

static void test_sdl_taps(void **state)
{
	struct hal_display_config cfg = { .width = W, .height = H };
	struct hal_input_event ev;
	struct kiosk_screen s;
	struct test_frame t;
	struct hal_display d;

	(void)state;
	hal_display_init(&d);
	assert_int_equal(hal_display_open(&d, &hal_display_sdl, &cfg), 0);
	assert_int_equal(d.width, W);
	assert_int_equal(d.height, H);
	/* drain whatever the driver queued at start (window shown, ...) */
	while (hal_display_poll(&d, &ev, 0) == 1) {
		assert_int_not_equal(ev.kind, HAL_INPUT_QUIT);
	}

	screen_make(&s, KIOSK_SCREEN_IDLE, "Issue a certificate");
	frame_make(&t, 0.2, 0.4, 0.8);
	frame_region(&t, "start", 100, 100, 200, 80);
	frame_region(&t, "cancel", 400, 250, 150, 80);
	/* a pixel display needs a frame */
	assert_int_equal(hal_display_present(&d, &s, NULL), KIOSK_ERR_INVALID_ARG);
	t.f.stride = W; /* narrower than a row */
	assert_int_equal(hal_display_present(&d, &s, &t.f), KIOSK_ERR_INVALID_ARG);
	t.f.stride = cairo_image_surface_get_stride(t.surf);
	assert_int_equal(hal_display_present(&d, &s, &t.f), 0);
	assert_int_equal(d.presented, 1);

	push_click(200, 140);
	assert_int_equal(hal_display_poll(&d, &ev, 1000), 1);
	assert_int_equal(ev.kind, HAL_INPUT_TAP);
	assert_string_equal(ev.id, "start");

	/* outside every region: nothing, and the wait ends */
	push_click(20, 20);
	push_click(399, 249);
	assert_int_equal(hal_display_poll(&d, &ev, 100), 0);
	assert_int_equal(ev.kind, HAL_INPUT_NONE);

	/* a finger: 0..1 across the window */
	push_finger_up(475.0f / W, 290.0f / H);
	assert_int_equal(hal_display_poll(&d, &ev, 1000), 1);
	assert_int_equal(ev.kind, HAL_INPUT_TAP);
	assert_string_equal(ev.id, "cancel");
	push_finger_up(0.01f, 0.99f);
	assert_int_equal(hal_display_poll(&d, &ev, 50), 0);

	/* keys only for buttons the screen has */
	push_text("7");
	push_key(SDLK_RETURN);
	assert_int_equal(hal_display_poll(&d, &ev, 50), 0);
	frame_region(&t, "7", 0, 300, 50, 50);
	frame_region(&t, "ok", 60, 300, 50, 50);
	assert_int_equal(hal_display_present(&d, &s, &t.f), 0);
	push_text("7");
	push_key(SDLK_RETURN);
	assert_int_equal(hal_display_poll(&d, &ev, 1000), 1);
	assert_string_equal(ev.id, "7");
	assert_int_equal(hal_display_poll(&d, &ev, 1000), 1);
	assert_string_equal(ev.id, "ok");

	{
		SDL_Event q = { .type = SDL_QUIT };

		assert_int_equal(SDL_PushEvent(&q), 1);
	}
	assert_int_equal(hal_display_poll(&d, &ev, 1000), 1);
	assert_int_equal(ev.kind, HAL_INPUT_QUIT);
	hal_display_close(&d);
	frame_free(&t);
}

static void test_sdl_wait_is_bounded(void **state)
{
	struct hal_display_config cfg = { .width = W, .height = H };
	struct hal_input_event ev;
	struct timespec a, b;
	struct hal_display d;
	long ms;

	(void)state;
	hal_display_init(&d);
	assert_int_equal(hal_display_open(&d, &hal_display_sdl, &cfg), 0);
	while (hal_display_poll(&d, &ev, 0) == 1) {
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(hal_display_poll(&d, &ev, 200), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	assert_true(ms >= 150 && ms < 2000);
	hal_display_close(&d);
}

static void check_png(const char *path, double r, double g, double b)
{
	cairo_surface_t *png = cairo_image_surface_create_from_png(path);
	const uint32_t *px;

	assert_int_equal(cairo_surface_status(png), CAIRO_STATUS_SUCCESS);
	assert_int_equal(cairo_image_surface_get_width(png), W);
	assert_int_equal(cairo_image_surface_get_height(png), H);
	px = (const uint32_t *)(const void *)cairo_image_surface_get_data(png);
	/* the frame's colour came through (opaque, channels within rounding) */
	assert_int_equal(px[0] >> 24, 0xff);
	assert_true(abs((int)((px[0] >> 16) & 0xff) - (int)(r * 255)) <= 1);
	assert_true(abs((int)((px[0] >> 8) & 0xff) - (int)(g * 255)) <= 1);
	assert_true(abs((int)(px[0] & 0xff) - (int)(b * 255)) <= 1);
	cairo_surface_destroy(png);
}

static void test_sdl_screenshots(void **state)
{
	char dir[] = "/tmp/display_test.XXXXXX";
	char path[256];
	struct hal_display_config cfg = { .width = W, .height = H };
	struct kiosk_screen s;
	struct test_frame t;
	struct hal_display d;
	struct dirent *de;
	DIR *dh;
	int files = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	cfg.screenshot_dir = dir;
	hal_display_init(&d);
	assert_int_equal(hal_display_open(&d, &hal_display_sdl, &cfg), 0);

	screen_make(&s, KIOSK_SCREEN_IDLE, "idle");
	frame_make(&t, 1.0, 0.0, 0.0);
	assert_int_equal(hal_display_present(&d, &s, &t.f), 0);
	frame_free(&t);
	screen_make(&s, KIOSK_SCREEN_PIN, "pin");
	frame_make(&t, 0.0, 0.0, 1.0);
	assert_int_equal(hal_display_present(&d, &s, &t.f), 0);
	frame_free(&t);
	hal_display_close(&d);

	snprintf(path, sizeof(path), "%s/0001-%s.png", dir, kiosk_screen_name(KIOSK_SCREEN_IDLE));
	check_png(path, 1.0, 0.0, 0.0);
	assert_int_equal(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/0002-%s.png", dir, kiosk_screen_name(KIOSK_SCREEN_PIN));
	check_png(path, 0.0, 0.0, 1.0);
	assert_int_equal(unlink(path), 0);
	assert_string_equal(kiosk_screen_name(KIOSK_SCREEN_PIN), "pin");

	/* exactly those two files */
	dh = opendir(dir);
	assert_non_null(dh);
	while ((de = readdir(dh)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
			files++;
		}
	}
	closedir(dh);
	assert_int_equal(files, 0);
	assert_int_equal(rmdir(dir), 0);
}

/* --- tty ---------------------------------------------------------------- */

struct tty_rig {
	struct hal_display d;
	int in[2];  /* test writes in[1], the backend reads in[0] */
	int out[2]; /* the backend writes out[1], the test reads out[0] */
};

static void rig_open(struct tty_rig *r)
{
	struct hal_display_config cfg = { 0 };

	assert_int_equal(pipe(r->in), 0);
	assert_int_equal(pipe(r->out), 0);
	assert_int_equal(fcntl(r->out[0], F_SETFL, O_NONBLOCK), 0);
	hal_display_init(&r->d);
	assert_int_equal(hal_display_open(&r->d, &hal_display_tty, &cfg), 0);
	assert_false(hal_display_wants_pixels(&r->d));
	assert_int_equal(hal_display_tty_set_fds(&r->d, r->in[0], r->out[1]), 0);
}

static void rig_close(struct tty_rig *r)
{
	hal_display_close(&r->d);
	if (r->in[1] >= 0) {
		close(r->in[1]);
	}
	close(r->in[0]);
	close(r->out[0]);
	close(r->out[1]);
}

/* Everything the backend printed so far, NUL-terminated. */
static void drain(int fd, char *buf, size_t cap)
{
	size_t len = 0;
	ssize_t n;

	while (len + 1 < cap && (n = read(fd, buf + len, cap - 1 - len)) > 0) {
		len += (size_t)n;
	}
	buf[len] = '\0';
}

static void type(struct tty_rig *r, const char *s)
{
	assert_int_equal(write(r->in[1], s, strlen(s)), (ssize_t)strlen(s));
}

static void expect_tap(struct tty_rig *r, const char *id)
{
	struct hal_input_event ev;

	assert_int_equal(hal_display_poll(&r->d, &ev, 1000), 1);
	assert_int_equal(ev.kind, HAL_INPUT_TAP);
	assert_string_equal(ev.id, id);
}

static void test_tty_buttons_and_keys(void **state)
{
	struct hal_input_event ev;
	struct kiosk_screen s;
	struct tty_rig r;
	char out[8192];

	(void)state;
	rig_open(&r);
	assert_int_equal(hal_display_tty_set_fds(NULL, 0, 1), KIOSK_ERR_INVALID_ARG);

	screen_make(&s, KIOSK_SCREEN_LANGUAGE, "言語を選んでください");
	s.bilingual = true;
	snprintf(s.title_en, sizeof(s.title_en), "Choose a language");
	kiosk_screen_add_button(&s, "ja", "日本語", false);
	kiosk_screen_add_button(&s, "en", "English", false);
	kiosk_screen_add_button(&s, "cancel", "Cancel", false);
	assert_int_equal(s.n_buttons, 3);
	assert_int_equal(hal_display_present(&r.d, &s, NULL), 0);
	drain(r.out[0], out, sizeof(out));
	assert_non_null(strstr(out, "言語を選んでください"));
	assert_non_null(strstr(out, "Choose a language"));
	assert_non_null(strstr(out, "[a] 日本語 (ja)\n"));
	assert_non_null(strstr(out, "[b] English (en)\n"));
	assert_non_null(strstr(out, "[c] Cancel (cancel)\n"));

	type(&r, "a\n");
	expect_tap(&r, "ja");
	type(&r, "cancel\n"); /* the id itself */
	expect_tap(&r, "cancel");
	type(&r, "b"); /* one keystroke, no Enter */
	expect_tap(&r, "en");
	/* an unknown key or a digit this screen has not: nothing */
	type(&r, "z\n7\n");
	assert_int_equal(hal_display_poll(&r.d, &ev, 50), 0);
	assert_int_equal(ev.kind, HAL_INPUT_NONE);

	/* PIN screen with the on-screen keypad */
	screen_make(&s, KIOSK_SCREEN_PIN, "Enter your PIN");
	s.keypad = true;
	s.pin_digits = 2;
	s.tries_left = 3;
	s.seconds_left = 25;
	kiosk_screen_add_button(&s, "cancel", "Cancel", false);
	assert_int_equal(hal_display_present(&r.d, &s, NULL), 0);
	drain(r.out[0], out, sizeof(out));
	assert_non_null(strstr(out, "Enter your PIN"));
	assert_non_null(strstr(out, "[a] Cancel (cancel)"));
	assert_non_null(strstr(out, "[7]"));
	assert_non_null(strstr(out, "●●○○"));
	assert_non_null(strstr(out, "tries left: 3"));
	assert_non_null(strstr(out, "25 s left"));
	assert_non_null(strstr(out, "(del)"));
	assert_non_null(strstr(out, "(ok)"));

	type(&r, "7");
	expect_tap(&r, "7");
	type(&r, "42\n"); /* a PIN typed as a line: one digit per poll */
	expect_tap(&r, "4");
	expect_tap(&r, "2");
	type(&r, "ok\n");
	expect_tap(&r, "ok");
	assert_int_equal(hal_display_poll(&r.d, &ev, 20), 0);

	/* end of input: quit, and it stays so */
	close(r.in[1]);
	r.in[1] = -1;
	assert_int_equal(hal_display_poll(&r.d, &ev, 1000), 1);
	assert_int_equal(ev.kind, HAL_INPUT_QUIT);
	assert_int_equal(hal_display_poll(&r.d, &ev, 1000), 1);
	assert_int_equal(ev.kind, HAL_INPUT_QUIT);
	rig_close(&r);
}

static void test_tty_last_line_before_eof(void **state)
{
	struct hal_input_event ev;
	struct kiosk_screen s;
	struct tty_rig r;
	char out[4096];

	(void)state;
	rig_open(&r);
	screen_make(&s, KIOSK_SCREEN_LANGUAGE, "Language");
	kiosk_screen_add_button(&s, "ja", "日本語", false);
	kiosk_screen_add_button(&s, "en", "English", false);
	assert_int_equal(hal_display_present(&r.d, &s, NULL), 0);
	drain(r.out[0], out, sizeof(out));
	type(&r, "en");
	close(r.in[1]);
	r.in[1] = -1;
	expect_tap(&r, "en");
	assert_int_equal(hal_display_poll(&r.d, &ev, 1000), 1);
	assert_int_equal(ev.kind, HAL_INPUT_QUIT);
	rig_close(&r);
}

static void test_tty_wait_is_bounded(void **state)
{
	struct hal_input_event ev;
	struct timespec a, b;
	struct tty_rig r;
	long ms;

	(void)state;
	rig_open(&r);
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(hal_display_poll(&r.d, &ev, 150), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	assert_true(ms >= 100 && ms < 2000);
	rig_close(&r);
}

static void confirm_screen(struct kiosk_screen *s)
{
	screen_make(s, KIOSK_SCREEN_CONFIRM, "Is this you?");
	s->holder_name = "YAMADA TARO";
	s->holder_birth_date = "1980-04-01";
	kiosk_screen_add_button(s, "confirm", "Yes", true);
	kiosk_screen_add_button(s, "cancel", "No", false);
}

static void test_tty_masks_holder_on_pipe(void **state)
{
	struct kiosk_screen s;
	struct tty_rig r;
	char out[8192];

	(void)state;
	rig_open(&r);
	confirm_screen(&s);
	assert_int_equal(hal_display_present(&r.d, &s, NULL), 0);
	drain(r.out[0], out, sizeof(out));
	assert_non_null(strstr(out, "Is this you?"));
	assert_null(strstr(out, "YAMADA"));
	assert_null(strstr(out, "1980"));
	assert_non_null(strstr(out, "Name: ＊＊＊"));
	assert_non_null(strstr(out, "Date of birth: ＊＊＊"));
	assert_non_null(strstr(out, "[a] Yes (confirm)"));
	rig_close(&r);
}

static void test_tty_shows_holder_on_terminal(void **state)
{
	struct hal_display_config cfg = { 0 };
	struct kiosk_screen s;
	struct hal_display d;
	char out[8192];
	size_t len = 0;
	int in[2];
	int master, slave;

	(void)state;
	master = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(master >= 0);
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	assert_true(slave >= 0);
	assert_int_equal(pipe(in), 0);
	hal_display_init(&d);
	assert_int_equal(hal_display_open(&d, &hal_display_tty, &cfg), 0);
	assert_int_equal(hal_display_tty_set_fds(&d, in[0], slave), 0);
	confirm_screen(&s);
	assert_int_equal(hal_display_present(&d, &s, NULL), 0);
	for (;;) {
		struct pollfd pfd = { .fd = master, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, 200) <= 0 || len + 1 >= sizeof(out)) {
			break;
		}
		n = read(master, out + len, sizeof(out) - 1 - len);
		if (n <= 0) {
			break;
		}
		len += (size_t)n;
	}
	out[len] = '\0';
	assert_non_null(strstr(out, "Name: YAMADA TARO"));
	assert_non_null(strstr(out, "1980-04-01"));
	hal_display_close(&d);
	close(in[0]);
	close(in[1]);
	close(slave);
	close(master);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backend_lookup),
		cmocka_unit_test(test_open_config_errors),
		cmocka_unit_test(test_production_refuses_screenshots),
		cmocka_unit_test(test_default_size),
		cmocka_unit_test(test_sdl_taps),
		cmocka_unit_test(test_sdl_wait_is_bounded),
		cmocka_unit_test(test_sdl_screenshots),
		cmocka_unit_test(test_tty_buttons_and_keys),
		cmocka_unit_test(test_tty_last_line_before_eof),
		cmocka_unit_test(test_tty_wait_is_bounded),
		cmocka_unit_test(test_tty_masks_holder_on_pipe),
		cmocka_unit_test(test_tty_shows_holder_on_terminal),
	};

	/* also set by ctest; here so the binary runs alone */
	setenv("SDL_VIDEODRIVER", "offscreen", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
