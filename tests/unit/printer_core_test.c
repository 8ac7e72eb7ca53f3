/* SPDX-License-Identifier: MIT */
/*
 * Printer HAL without a printer: state-reason mapping, job-name rule, status
 * JSON, board -> config, the preview backend's one file, and the ipp backend's
 * configuration checks and refused connection.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hal/printer.h"
#include "kiosk/board.h"
#include "kiosk/err.h"
#include "kiosk/msg.h"

static const uint8_t tiny_pdf[] = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
				  "2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
				  "trailer<</Root 1 0 R>>\n%%EOF\n";

static void test_reason_mapping_table(void **state)
{
	static const struct {
		const char *kw;
		int err;
	} cases[] = {
		{ "none", 0 },
		{ "media-empty", KIOSK_ERR_MEDIA_EMPTY },
		{ "media-empty-error", KIOSK_ERR_MEDIA_EMPTY },
		{ "media-empty-warning", KIOSK_ERR_MEDIA_EMPTY },
		{ "media-empty-report", KIOSK_ERR_MEDIA_EMPTY },
		{ "media-needed-error", KIOSK_ERR_MEDIA_EMPTY },
		{ "media-jam-error", KIOSK_ERR_MEDIA_JAM },
		{ "media-jam-report", KIOSK_ERR_MEDIA_JAM },
		{ "door-open-error", KIOSK_ERR_DOOR_OPEN },
		{ "cover-open", KIOSK_ERR_DOOR_OPEN },
		{ "interlock-open-warning", KIOSK_ERR_DOOR_OPEN },
		{ "offline", KIOSK_ERR_PRINTER_OFFLINE },
		{ "offline-report", KIOSK_ERR_PRINTER_OFFLINE },
		{ "shutdown", KIOSK_ERR_PRINTER_OFFLINE },
		{ "paused", KIOSK_ERR_PRINTER_OFFLINE },
		{ "toner-empty-error", KIOSK_ERR_TONER_EMPTY },
		{ "marker-supply-empty-error", KIOSK_ERR_TONER_EMPTY },
		/* Not blocking: the printer can still print. */
		{ "media-low-warning", 0 },
		{ "toner-low-report", 0 },
		{ "other", 0 },
		{ "", 0 },
		/* Near misses are not matches. */
		{ "media-jammed", 0 },
		{ "media-jam-errors", 0 },
		{ "-error", 0 },
		{ "xmedia-jam", 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(hal_printer_reason_err(cases[i].kw), cases[i].err);
	}
	assert_int_equal(hal_printer_reason_err(NULL), 0);
}

static void test_reasons_priority(void **state)
{
	const char *jam_and_empty[] = { "media-empty-error", "toner-low-report",
					"media-jam-error" };
	const char *offline_and_toner[] = { "offline-report", "toner-empty-error" };
	const char *benign[] = { "none", "media-low-warning" };

	(void)state;
	assert_int_equal(hal_printer_reasons_err(jam_and_empty, 3), KIOSK_ERR_MEDIA_JAM);
	assert_int_equal(hal_printer_reasons_err(offline_and_toner, 2), KIOSK_ERR_TONER_EMPTY);
	assert_int_equal(hal_printer_reasons_err(benign, 2), 0);
	assert_int_equal(hal_printer_reasons_err(NULL, 0), 0);
	assert_int_equal(hal_printer_reasons_err(jam_and_empty, 0), 0);
}

static void test_every_printer_error_has_a_staff_message(void **state)
{
	static const int errs[] = {
		KIOSK_ERR_PRINTER_UNREACHABLE, KIOSK_ERR_PRINTER_TIMEOUT, KIOSK_ERR_MEDIA_EMPTY,
		KIOSK_ERR_MEDIA_JAM, KIOSK_ERR_DOOR_OPEN, KIOSK_ERR_PRINTER_OFFLINE,
		KIOSK_ERR_TONER_EMPTY, KIOSK_ERR_JOB_FAILED,
	};
	char buf[512];

	(void)state;
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		enum kiosk_msg_id id = kiosk_err_msg(errs[i]);

		assert_int_not_equal(id, KIOSK_MSG_NONE);
		assert_int_not_equal(id, KIOSK_MSG_OUT_OF_SERVICE);
		assert_string_not_equal(kiosk_err_name(errs[i]), "UNKNOWN");
		assert_int_equal(kiosk_msg_format(id, KIOSK_LANG_EN, 0, buf, sizeof(buf)), 0);
		assert_non_null(strstr(buf, "member of staff"));
		assert_int_equal(kiosk_msg_format(id, KIOSK_LANG_JA, 0, buf, sizeof(buf)), 0);
		assert_non_null(strstr(buf, "店員"));
	}
	assert_int_equal(kiosk_msg_format(kiosk_err_msg(KIOSK_ERR_MEDIA_EMPTY), KIOSK_LANG_EN, 0,
					  buf, sizeof(buf)), 0);
	assert_string_equal(buf, "The printer is out of paper. Please tell a member of staff.");
}

static void test_job_name_rule(void **state)
{
	(void)state;
	assert_true(hal_printer_job_name_ok("certificate"));
	assert_true(hal_printer_job_name_ok("test-page"));
	assert_true(hal_printer_job_name_ok("a"));
	assert_false(hal_printer_job_name_ok(NULL));
	assert_false(hal_printer_job_name_ok(""));
	/* Digits (ids, dates), spaces, upper case and non-ASCII (names) refused. */
	assert_false(hal_printer_job_name_ok("certificate-123456789012"));
	assert_false(hal_printer_job_name_ok("Yamada Taro"));
	assert_false(hal_printer_job_name_ok("山田"));
	assert_false(hal_printer_job_name_ok("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")); /* 33 */
}

static void test_status_json(void **state)
{
	struct hal_printer_status st;
	char buf[512];

	(void)state;
	memset(&st, 0, sizeof(st));
	st.reachable = true;
	st.state = 3;
	st.err = KIOSK_ERR_MEDIA_JAM;
	snprintf(st.reasons, sizeof(st.reasons), "media-jam-error,toner-low\"x");
	assert_int_equal(hal_printer_status_json(&st, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "{\"reachable\":true,\"ready\":false,\"state\":\"idle\","
				 "\"error\":\"MEDIA_JAM\",\"reasons\":[\"media-jam-error\","
				 "\"toner-lowx\"]}");
	memset(&st, 0, sizeof(st));
	st.err = KIOSK_ERR_PRINTER_UNREACHABLE;
	assert_int_equal(hal_printer_status_json(&st, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "{\"reachable\":false,\"ready\":false,\"state\":\"unknown\","
				 "\"error\":\"PRINTER_UNREACHABLE\",\"reasons\":[]}");
	assert_int_equal(hal_printer_status_json(&st, buf, 20), KIOSK_ERR_BUFFER_TOO_SMALL);
	assert_string_equal(buf, "");
	assert_int_equal(hal_printer_status_json(NULL, buf, sizeof(buf)), KIOSK_ERR_INVALID_ARG);
}

static void test_config_from_board(void **state)
{
	const struct hal_printer_ops *ops = NULL;
	struct hal_printer_config cfg;
	struct hal_printer p;
	struct kiosk_board b;
	char why[128];
	const char *text = "production = true\n"
			   "printer.backend = ipp\n"
			   "printer.uri = ipp://printer.lan:631/ipp/print\n"
			   "printer.dpi = 600\n"
			   "printer.timeout_ms = 3000\n";

	(void)state;
	kiosk_board_init(&b);
	assert_int_equal(kiosk_board_parse(&b, text, strlen(text), why, sizeof(why)), 0);
	assert_int_equal(hal_printer_config_from_board(&b, NULL, &cfg, &ops), 0);
	assert_ptr_equal(ops, &hal_printer_ipp);
	assert_string_equal(cfg.uri, "ipp://printer.lan:631/ipp/print");
	assert_true(cfg.production);
	assert_int_equal(cfg.dpi, 600);
	assert_string_equal(cfg.paper, "a4");
	assert_int_equal(cfg.timeout_ms, 3000);

	/* ipp with no URI is a configuration error, not a silent default. */
	kiosk_board_init(&b);
	assert_int_equal(hal_printer_config_from_board(&b, NULL, &cfg, &ops), KIOSK_ERR_CONFIG);
	kiosk_board_init(&b);
	snprintf(b.printer_backend, sizeof(b.printer_backend), "preview");
	assert_int_equal(hal_printer_config_from_board(&b, "/x/c.pdf", &cfg, &ops), 0);
	assert_ptr_equal(ops, &hal_printer_preview);
	assert_string_equal(cfg.preview_path, "/x/c.pdf");
	snprintf(b.printer_backend, sizeof(b.printer_backend), "cups");
	assert_int_equal(hal_printer_config_from_board(&b, NULL, &cfg, &ops), KIOSK_ERR_CONFIG);
	assert_int_equal(hal_printer_config_from_board(NULL, NULL, &cfg, &ops),
			 KIOSK_ERR_INVALID_ARG);
	/* The preview backend of a production board is refused at open. */
	kiosk_board_init(&b);
	b.production = true;
	snprintf(b.printer_backend, sizeof(b.printer_backend), "preview");
	hal_printer_init(&p);
	assert_int_equal(hal_printer_open_board(&p, &b, "/nonexistent/c.pdf"), KIOSK_ERR_REFUSED);
	assert_null(p.ops);
	b.production = false;
	assert_int_equal(hal_printer_open_board(&p, &b, NULL), KIOSK_ERR_CONFIG);
	assert_int_equal(hal_printer_open_board(&p, &b, "/nonexistent/c.pdf"), 0);
	assert_ptr_equal(p.ops, &hal_printer_preview);
	hal_printer_close(&p);
	assert_ptr_equal(hal_printer_backend("ipp"), &hal_printer_ipp);
	assert_ptr_equal(hal_printer_backend("preview"), &hal_printer_preview);
	assert_null(hal_printer_backend("cups"));
	assert_null(hal_printer_backend(NULL));
}

static void test_ipp_open_checks_uri(void **state)
{
	static const char *bad[] = {
		"", "http://printer/ipp/print", "ipp://", "ipp://user:pw@printer/ipp/print",
		"not a uri",
	};
	struct hal_printer_config cfg = { 0 };
	struct hal_printer p;

	(void)state;
	hal_printer_init(&p);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cfg.uri = bad[i];
		assert_int_equal(hal_printer_open(&p, &hal_printer_ipp, &cfg), KIOSK_ERR_CONFIG);
		assert_null(p.ops);
	}
	cfg.uri = NULL;
	assert_int_equal(hal_printer_open(&p, &hal_printer_ipp, &cfg), KIOSK_ERR_CONFIG);
	cfg.uri = "ipp://printer.lan/ipp/print";
	cfg.paper = "letter";
	assert_int_equal(hal_printer_open(&p, &hal_printer_ipp, &cfg), KIOSK_ERR_CONFIG);
	cfg.paper = "a4";
	assert_int_equal(hal_printer_open(&p, &hal_printer_ipp, &cfg), 0);
	assert_int_equal(p.timeout_ms, HAL_PRINTER_DEFAULT_TIMEOUT_MS);
	/* A second open of an open context is a caller bug. */
	assert_int_equal(hal_printer_open(&p, &hal_printer_ipp, &cfg), KIOSK_ERR_INVALID_ARG);
	hal_printer_close(&p);
	hal_printer_close(&p);
	assert_null(p.ops);
	hal_printer_close(NULL);
}

static void test_ipp_refused_connection_is_unreachable(void **state)
{
	/* Port 1 on loopback: nothing listens, the kernel refuses at once. */
	struct hal_printer_config cfg = { .uri = "ipp://127.0.0.1:1/ipp/print",
					  .timeout_ms = 3000 };
	struct hal_printer_status st;
	struct hal_printer p;

	(void)state;
	hal_printer_init(&p);
	assert_int_equal(hal_printer_open(&p, &hal_printer_ipp, &cfg), 0);
	assert_int_equal(hal_printer_status(&p, &st), KIOSK_ERR_PRINTER_UNREACHABLE);
	assert_false(st.reachable);
	assert_false(st.ready);
	assert_int_equal(st.err, KIOSK_ERR_PRINTER_UNREACHABLE);
	assert_int_equal(hal_printer_print_pdf(&p, tiny_pdf, sizeof(tiny_pdf) - 1, NULL, 0),
			 KIOSK_ERR_PRINTER_UNREACHABLE);
	assert_int_equal(p.jobs, 0);
	hal_printer_close(&p);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void test_ipp_silent_printer_times_out(void **state)
{
	/* A socket that listens (the kernel completes the TCP handshake) but never
	 * answers: each wait must end at the configured bound (800 ms), plus at
	 * most libcups' own fixed 1 s wait for "100 Continue". */
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct hal_printer_config cfg = { 0 };
	struct hal_printer_status st;
	struct hal_printer p;
	socklen_t sl = sizeof(sa);
	char uri[64];
	uint64_t t0;
	int fd;

	(void)state;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	snprintf(uri, sizeof(uri), "ipp://127.0.0.1:%u/ipp/print", ntohs(sa.sin_port));
	cfg.uri = uri;
	cfg.timeout_ms = 800;
	hal_printer_init(&p);
	assert_int_equal(hal_printer_open(&p, &hal_printer_ipp, &cfg), 0);
	t0 = now_ms();
	assert_int_equal(hal_printer_status(&p, &st), KIOSK_ERR_PRINTER_TIMEOUT);
	assert_false(st.reachable);
	assert_true(now_ms() - t0 < 3000);
	t0 = now_ms();
	assert_int_equal(hal_printer_print_pdf(&p, tiny_pdf, sizeof(tiny_pdf) - 1, NULL, 0),
			 KIOSK_ERR_PRINTER_TIMEOUT);
	assert_true(now_ms() - t0 < 3000);
	hal_printer_close(&p);
	close(fd);
}

/* A private directory under TMPDIR for the preview file. */
static void make_dir(char *dir, size_t cap)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, cap, "%s/printer-test.XXXXXX", tmp != NULL ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
}

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			n++;
		}
	}
	closedir(d);
	return n;
}

static void test_preview_writes_exact_bytes(void **state)
{
	struct hal_printer_config cfg = { 0 };
	struct hal_printer_status st;
	struct hal_printer p;
	uint8_t back[512];
	char dir[256];
	char path[300];
	struct stat sb;
	FILE *f;
	size_t n;

	(void)state;
	make_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/certificate.pdf", dir);
	cfg.preview_path = path;
	hal_printer_init(&p);
	assert_int_equal(hal_printer_open(&p, &hal_printer_preview, &cfg), 0);
	assert_int_equal(hal_printer_status(&p, &st), 0);
	assert_true(st.ready);
	assert_true(st.reachable);
	assert_int_equal(hal_printer_print_pdf(&p, tiny_pdf, sizeof(tiny_pdf) - 1, NULL, 0), 0);
	assert_int_equal(p.jobs, 1);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(back, 1, sizeof(back), f);
	fclose(f);
	assert_int_equal(n, sizeof(tiny_pdf) - 1);
	assert_memory_equal(back, tiny_pdf, n);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	/* The one file, nothing beside it (no temp file, no PNG from the HAL). */
	assert_int_equal(count_entries(dir), 1);

	/* Not a PDF, or a job name that could carry an id: refused, nothing written. */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(hal_printer_print_pdf(&p, (const uint8_t *)"{\"name\":1}", 10, NULL, 0),
			 KIOSK_ERR_INVALID_ARG);
	assert_int_equal(hal_printer_print_pdf(&p, tiny_pdf, sizeof(tiny_pdf) - 1,
					       "cert-0042", 0), KIOSK_ERR_INVALID_ARG);
	assert_int_equal(hal_printer_print_pdf(&p, NULL, 0, NULL, 0), KIOSK_ERR_INVALID_ARG);
	assert_int_equal(count_entries(dir), 0);

	/* A symlink planted at the path is not followed. */
	assert_int_equal(symlink("/dev/null", path), 0);
	assert_int_equal(hal_printer_print_pdf(&p, tiny_pdf, sizeof(tiny_pdf) - 1, NULL, 0),
			 KIOSK_ERR_IO);
	assert_int_equal(unlink(path), 0);
	hal_printer_close(&p);
	assert_int_equal(rmdir(dir), 0);
}

static void test_preview_refused_on_production(void **state)
{
	struct hal_printer_config cfg = { 0 };
	struct hal_printer p;
	char dir[256];
	char path[300];

	(void)state;
	make_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/certificate.pdf", dir);
	cfg.preview_path = path;
	cfg.production = true;
	hal_printer_init(&p);
	assert_int_equal(hal_printer_open(&p, &hal_printer_preview, &cfg), KIOSK_ERR_REFUSED);
	assert_null(p.ops);
	assert_int_equal(hal_printer_print_pdf(&p, tiny_pdf, sizeof(tiny_pdf) - 1, NULL, 0),
			 KIOSK_ERR_INVALID_ARG);
	assert_int_equal(count_entries(dir), 0);
	/* No path is a configuration error. */
	cfg.production = false;
	cfg.preview_path = NULL;
	assert_int_equal(hal_printer_open(&p, &hal_printer_preview, &cfg), KIOSK_ERR_CONFIG);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reason_mapping_table),
		cmocka_unit_test(test_reasons_priority),
		cmocka_unit_test(test_every_printer_error_has_a_staff_message),
		cmocka_unit_test(test_job_name_rule),
		cmocka_unit_test(test_status_json),
		cmocka_unit_test(test_config_from_board),
		cmocka_unit_test(test_ipp_open_checks_uri),
		cmocka_unit_test(test_ipp_refused_connection_is_unreachable),
		cmocka_unit_test(test_ipp_silent_printer_times_out),
		cmocka_unit_test(test_preview_writes_exact_bytes),
		cmocka_unit_test(test_preview_refused_on_production),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
