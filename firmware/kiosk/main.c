/* SPDX-License-Identifier: MIT */
/*
 * kiosk: the program a resident uses. Loads the board, opens its reader,
 * center client, printer, display and voice, and runs the issuance flow until
 * stopped (SIGTERM, or the end of a QA script).
 *
 *   kiosk [--board NAME] [--script FILE] [--preview-out DIR] [--screenshots DIR]
 *         [--printer-uri URI] [--center-url URL] [--display tty|sdl] [--stats]
 *
 * The QA options (script, previews, screenshots, printer override) are
 * refused on production boards. Exit: 0 stopped cleanly; 2 usage/config;
 * 3 a QA script's expectation failed; 4 a service could not start.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "kiosk/clock.h"
#include "hal/audio.h"
#include "hal/display.h"
#include "hal/script.h"
#include "kiosk/board.h"
#include "kiosk/err.h"
#include "kiosk/flow.h"
#include "kiosk/harden.h"
#include "kiosk/oplog.h"
#include "kiosk/ui.h"
#include "services.h"

#define TICK_MS 50
#define EXIT_USAGE 2
#define EXIT_SCRIPT 3
#define EXIT_SERVICE 4

#if defined(__SANITIZE_ADDRESS__)
/* ASan's allocator: fill freed blocks, as glibc's perturb does otherwise. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "max_free_fill_size=16777216:free_fill_byte=165";
}
#endif

struct kiosk_opts {
	const char *board;
	const char *script;
	const char *preview_dir;
	const char *screenshots;
	const char *printer_uri;
	const char *center_url;
	const char *display;
	bool stats;
};

struct kiosk {
	struct kiosk_board board;
	struct kiosk_services svc;
	struct hal_display display;
	struct hal_audio audio;
	struct hal_script *script;
	struct kiosk_ui_frame frame;
	bool have_frame;
	struct flow flow;
	long start_ms;
	bool ready_sent;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static int parse_opts(int argc, char **argv, struct kiosk_opts *o)
{
	static const struct option longopts[] = {
		{ "board", required_argument, NULL, 'b' },
		{ "script", required_argument, NULL, 's' },
		{ "preview-out", required_argument, NULL, 'O' },
		{ "screenshots", required_argument, NULL, 'S' },
		{ "printer-uri", required_argument, NULL, 'p' },
		{ "center-url", required_argument, NULL, 'u' },
		{ "display", required_argument, NULL, 'd' },
		{ "stats", no_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->board = "sim";
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'b': o->board = optarg; break;
		case 's': o->script = optarg; break;
		case 'O': o->preview_dir = optarg; break;
		case 'S': o->screenshots = optarg; break;
		case 'p': o->printer_uri = optarg; break;
		case 'u': o->center_url = optarg; break;
		case 'd': o->display = optarg; break;
		case 't': o->stats = true; break;
		default: return -1;
		}
	}
	if (optind != argc) {
		return -1;
	}
	return 0;
}

/* Board, then the QA overrides a production board refuses. */
static int load_board(struct kiosk *k, const struct kiosk_opts *o)
{
	char why[256] = "";
	struct kiosk_board *b = &k->board;

	if (kiosk_board_load(b, o->board, why, sizeof(why)) != 0) {
		fprintf(stderr, "kiosk: board %s: %s\n", o->board, why);
		return KIOSK_ERR_CONFIG;
	}
	if (b->production && (o->script || o->preview_dir || o->screenshots || o->printer_uri ||
			      o->center_url || o->display)) {
		fprintf(stderr, "kiosk: QA options are refused on production board %s\n", b->name);
		return KIOSK_ERR_REFUSED;
	}
	if (o->printer_uri != NULL) {
		snprintf(b->printer_backend, sizeof(b->printer_backend), "ipp");
		snprintf(b->printer_uri, sizeof(b->printer_uri), "%s", o->printer_uri);
	}
	if (o->center_url != NULL) {
		snprintf(b->center_url, sizeof(b->center_url), "%s", o->center_url);
	}
	if (o->display != NULL) {
		snprintf(b->display_backend, sizeof(b->display_backend), "%s", o->display);
	}
	if (o->screenshots != NULL) {
		snprintf(b->display_screenshot_dir, sizeof(b->display_screenshot_dir), "%s",
			 o->screenshots);
	}
	return 0;
}

static int open_io(struct kiosk *k, const struct kiosk_opts *o)
{
	const struct kiosk_board *b = &k->board;
	struct hal_display_config dc = {
		.width = b->display_width,
		.height = b->display_height,
		.fullscreen = b->display_fullscreen,
		.production = b->production,
		.screenshot_dir = b->display_screenshot_dir,
	};
	struct hal_audio_config ac = { .prompts_dir = b->audio_prompts_dir };
	char why[256] = "";
	int rc;

	rc = hal_display_open(&k->display, hal_display_backend(b->display_backend), &dc);
	if (rc != 0) {
		fprintf(stderr, "kiosk: display %s: %s\n", b->display_backend, kiosk_strerror(rc));
		return rc;
	}
	if (hal_display_wants_pixels(&k->display)) {
		rc = kiosk_ui_frame_setup(&k->frame, (int)k->display.width, (int)k->display.height);
		if (rc != 0) {
			return rc;
		}
		k->have_frame = true;
	}
	rc = hal_audio_open(&k->audio, hal_audio_backend(b->audio_backend), &ac);
	if (rc != 0) {
		fprintf(stderr, "kiosk: audio %s: %s\n", b->audio_backend, kiosk_strerror(rc));
		return rc;
	}
	if (o->script != NULL) {
		rc = hal_script_open(&k->script, o->script, NULL, why, sizeof(why));
		if (rc != 0) {
			fprintf(stderr, "kiosk: script %s: %s\n", o->script, why);
			return rc;
		}
	}
	return kiosk_ui_warm_up();
}

static void show(struct kiosk *k)
{
	static struct kiosk_screen scr;
	struct flow *f = &k->flow;
	const char *prompt;
	int rc = 0;

	kiosk_screen_build(&scr, &f->view);
	if (k->have_frame) {
		rc = kiosk_ui_frame_draw(&k->frame, &scr);
	}
	if (rc == 0 || rc == KIOSK_ERR_GLYPH_MISSING) {
		rc = hal_display_present(&k->display, &scr, k->have_frame ? &k->frame.frame : NULL);
	}
	/* The screen model held pointers into the vault: drop them. */
	scr.holder_name = NULL;
	scr.holder_birth_date = NULL;
	oplog_event(OPLOG_SCREEN, kiosk_screen_name(f->state), rc, 0);
	f->changed = false;
	prompt = flow_take_prompt(f);
	if (prompt != NULL) {
		rc = hal_audio_play(&k->audio, prompt, f->view.lang == KIOSK_LANG_EN ? "en" : "ja");
		oplog_event(OPLOG_PROMPT, prompt, rc, 0);
	}
	if (!k->ready_sent && f->state == KIOSK_SCREEN_IDLE) {
		k->ready_sent = true;
		oplog_event(OPLOG_READY, NULL, KIOSK_OK, kiosk_now_ms() - k->start_ms);
		if (k->board.systemd_watchdog) {
			sd_notify(0, "READY=1");
		}
	}
}

/* One resident action (script or display), waiting at most @wait_ms. */
static int next_input(struct kiosk *k, int wait_ms)
{
	struct hal_input_event ev;
	char why[256] = "";
	int rc;

	memset(&ev, 0, sizeof(ev));
	if (k->script != NULL) {
		rc = hal_script_next(k->script, kiosk_screen_name(k->flow.state), &ev, wait_ms, why,
				     sizeof(why));
		if (rc < 0) {
			fprintf(stderr, "kiosk: script: %s\n", why);
			return rc;
		}
	} else {
		rc = hal_display_poll(&k->display, &ev, wait_ms);
		if (rc < 0) {
			return rc;
		}
	}
	if (rc == 1 && ev.kind == HAL_INPUT_TAP) {
		flow_tap(&k->flow, ev.id, kiosk_now_ms());
	} else if (rc == 1 && ev.kind == HAL_INPUT_QUIT) {
		k->flow.quit_when_idle = true;
	}
	return 0;
}

static int run(struct kiosk *k)
{
	struct flow *f = &k->flow;
	unsigned ends_seen = 0;

	flow_init(f, &k->svc.ops, &(struct flow_timeouts){
		.screen_ms = k->board.screen_timeout_ms,
		.pin_ms = k->board.pin_timeout_ms,
		.take_card_ms = k->board.take_card_timeout_ms,
		.take_paper_ms = k->board.take_paper_ms,
		.message_ms = k->board.message_ms,
	}, kiosk_now_ms());
	for (;;) {
		if (f->changed || f->prompt != NULL) {
			show(k);
		}
		if (f->ends != ends_seen) {
			/* An issuance ended: the dead stack frames below go too. */
			ends_seen = f->ends;
			kiosk_scrub_stack();
		}
		if (k->board.systemd_watchdog) {
			sd_notify(0, "WATCHDOG=1");
		}
		/* Stopping mid-issuance is fine: closing the services wipes the vault. */
		if (stop_requested || (f->quit_when_idle && f->state == KIOSK_SCREEN_IDLE)) {
			return 0;
		}
		if (flow_has_work(f)) {
			flow_work(f, kiosk_now_ms());
			continue;
		}
		if (next_input(k, TICK_MS) != 0) {
			return EXIT_SCRIPT;
		}
		flow_tick(f, kiosk_now_ms());
	}
}

static void print_stats(struct kiosk *k)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	/* counts and sizes only, for tests and benchmarks */
	fprintf(stderr, "kiosk-stats issued=%u ends=%u verify=%u wipe_ok=%d maxrss_kib=%ld\n",
		k->flow.issuances_done, k->flow.ends, k->flow.verify_calls,
		k->svc.last_wipe_ok ? 1 : 0, ru.ru_maxrss);
}

int main(int argc, char **argv)
{
	static struct kiosk k;
	struct kiosk_opts o;
	struct kiosk_services_opts so;
	enum oplog_sink sink;
	int code = 0;
	int rc;

	k.start_ms = kiosk_now_ms();
	if (kiosk_harden_heap(argv) != 0 || kiosk_harden_process() != 0) {
		fprintf(stderr, "kiosk: cannot harden the process\n");
		return EXIT_SERVICE;
	}
	if (parse_opts(argc, argv, &o) != 0) {
		fprintf(stderr, "usage: kiosk [--board NAME] [--script FILE] [--preview-out DIR]\n"
				"             [--screenshots DIR] [--printer-uri URI] "
				"[--center-url URL]\n             [--display tty|sdl] [--stats]\n");
		return EXIT_USAGE;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	hal_display_init(&k.display);
	hal_audio_init(&k.audio);
	if (load_board(&k, &o) != 0) {
		return EXIT_USAGE;
	}
	sink = strcmp(k.board.oplog_sink, "syslog") == 0 ? OPLOG_SINK_SYSLOG
	       : strcmp(k.board.oplog_sink, "none") == 0 ? OPLOG_SINK_NONE
							 : OPLOG_SINK_STDERR;
	if (oplog_open(sink, k.board.center_kiosk_id[0] ? k.board.center_kiosk_id : "kiosk") != 0) {
		fprintf(stderr, "kiosk: operation log: invalid kiosk id\n");
		return EXIT_USAGE;
	}
	oplog_event(OPLOG_START, NULL, KIOSK_OK, 0);
	so.preview_dir = o.preview_dir;
	so.timing = o.stats;
	rc = kiosk_services_open(&k.svc, &k.board, &so);
	if (rc == 0) {
		rc = open_io(&k, &o);
	}
	if (rc == 0) {
		/* the list is ready before the first resident; a failure is retried later */
		(void)kiosk_services_refresh(&k.svc, kiosk_now_ms());
		code = run(&k);
	} else {
		code = rc == KIOSK_ERR_CONFIG || rc == KIOSK_ERR_REFUSED ? EXIT_USAGE : EXIT_SERVICE;
	}
	if (o.stats) {
		print_stats(&k);
	}
	hal_script_free(k.script);
	hal_audio_close(&k.audio);
	if (k.have_frame) {
		kiosk_ui_frame_free(&k.frame);
	}
	hal_display_close(&k.display);
	kiosk_services_close(&k.svc);
	kiosk_ui_shutdown();
	oplog_event(OPLOG_STOP, NULL, code == 0 ? KIOSK_OK : KIOSK_ERR_INTERNAL, kiosk_now_ms() - k.start_ms);
	oplog_close();
	return code;
}
