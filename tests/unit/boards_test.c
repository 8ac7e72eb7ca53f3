/* SPDX-License-Identifier: MIT */
/*
 * Every folder under board/ loads through the real loader (unknown keys and
 * bad values are errors there), and the two kiosk boards say what they must:
 * kiosk-x86 is a production kiosk on SDL and syslog, sim a QA board on the
 * terminal with no sound and the log on stderr.
 */
#include <dirent.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "kiosk/board.h"
#include "kiosk/err.h"

static void board_path(char *out, size_t cap, const char *name)
{
	const char *src = getenv("KIOSK_SOURCE_DIR");

	assert_non_null(src);
	assert_true((size_t)snprintf(out, cap, "%s/board/%s", src, name) < cap);
}

static void load(struct kiosk_board *b, const char *name)
{
	char path[PATH_MAX];
	char why[256] = "";
	int rc;

	board_path(path, sizeof(path), name);
	rc = kiosk_board_load(b, path, why, sizeof(why));
	if (rc != 0) {
		fail_msg("board %s: %s", name, why);
	}
}

static void test_every_board_loads(void **state)
{
	char root[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int boards = 0;
	bool seen_sim = false;
	bool seen_x86 = false;

	(void)state;
	board_path(root, sizeof(root), "");
	d = opendir(root);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		char conf[PATH_MAX];
		struct kiosk_board b;
		struct stat st;

		if (e->d_name[0] == '.') {
			continue;
		}
		assert_true((size_t)snprintf(conf, sizeof(conf), "%s%s/board.conf", root,
					     e->d_name) < sizeof(conf));
		if (stat(conf, &st) != 0) {
			continue; /* not a board folder */
		}
		load(&b, e->d_name);
		/* Each board names itself after its folder. */
		assert_string_equal(b.name, e->d_name);
		if (b.production) {
			/* Production boards never point into a build tree or the board folder. */
			assert_int_equal(b.anchors_dir[0], '/');
			assert_null(strstr(b.anchors_dir, "test-pki"));
			assert_null(strstr(b.center_ca_file, "center-pki"));
			assert_string_not_equal(b.printer_backend, "preview");
			assert_string_equal(b.display_screenshot_dir, "");
		}
		seen_sim |= strcmp(e->d_name, "sim") == 0;
		seen_x86 |= strcmp(e->d_name, "kiosk-x86") == 0;
		boards++;
	}
	closedir(d);
	assert_true(seen_sim);
	assert_true(seen_x86);
	assert_true(boards >= 3);
}

static void test_kiosk_x86(void **state)
{
	struct kiosk_board b;

	(void)state;
	load(&b, "kiosk-x86");
	assert_true(b.production);
	assert_string_equal(b.reader_backend, "pcsc");
	assert_string_equal(b.anchors_dir, "/etc/kiosk/anchors/card-ca");
	assert_int_equal(strncmp(b.center_url, "https://", 8), 0);
	assert_int_equal(strncmp(b.center_ca_file, "/etc/kiosk/", 11), 0);
	assert_int_equal(strncmp(b.center_client_cert, "/etc/kiosk/", 11), 0);
	assert_int_equal(strncmp(b.center_client_key, "/etc/kiosk/", 11), 0);
	assert_int_equal(strncmp(b.cert_issuer_jwks, "/etc/kiosk/", 11), 0);
	assert_int_equal(strncmp(b.cert_csca, "/etc/kiosk/", 11), 0);
	assert_string_equal(b.printer_backend, "ipp");
	assert_int_equal(strncmp(b.printer_uri, "ipp://printer.local", 19), 0);
	assert_string_equal(b.display_backend, "sdl");
	assert_true(b.display_fullscreen);
	assert_int_equal(b.display_width, 1920);
	assert_int_equal(b.display_height, 1080);
	assert_string_equal(b.audio_backend, "sdl");
	assert_string_equal(b.audio_prompts_dir, "/usr/share/kiosk/prompts");
	assert_string_equal(b.oplog_sink, "syslog");
	assert_int_equal(b.screen_timeout_ms, 60000);
	assert_int_equal(b.pin_timeout_ms, 30000);
	assert_true(b.systemd_watchdog);
}

static void test_sim(void **state)
{
	struct kiosk_board b;

	(void)state;
	load(&b, "sim");
	assert_false(b.production);
	assert_string_equal(b.display_backend, "tty");
	assert_string_equal(b.audio_backend, "null");
	assert_string_equal(b.audio_prompts_dir, KIOSK_TEST_BUILD_DIR "/prompts");
	assert_string_equal(b.oplog_sink, "stderr");
	assert_int_equal(b.screen_timeout_ms, 60000);
	assert_int_equal(b.pin_timeout_ms, 30000);
	assert_int_equal(b.take_card_timeout_ms, 30000);
	assert_int_equal(b.take_paper_ms, 8000);
	assert_int_equal(b.message_ms, 8000);
	assert_int_equal(b.munis_refresh_ms, 600000);
	assert_false(b.systemd_watchdog);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_board_loads),
		cmocka_unit_test(test_kiosk_x86),
		cmocka_unit_test(test_sim),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
