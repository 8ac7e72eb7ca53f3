/* SPDX-License-Identifier: MIT */
/*
 * The ipp printer backend against a real IPP Everywhere printer simulator
 * (ippeveprinter, started by tools/printer-rig in private namespaces).
 * Run as: printer-rig.sh -- printer_ipp_test <scenario>
 *
 * The rig exports PRINTER_RIG_URI (the printer), PRINTER_RIG_PORT,
 * PRINTER_RIG_DIR (its private dir; the file "fault" there selects the fault
 * the printer simulates for the next job) and PRINTER_RIG_RECEIVED (where the
 * printer's job command copies each document it received).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <cups/cups.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hal/printer.h"
#include "kiosk/err.h"

struct membuf {
	uint8_t *data;
	size_t len;
	size_t cap;
};

static cairo_status_t mem_write(void *closure, const unsigned char *data, unsigned int length)
{
	struct membuf *m = closure;

	if (m->len + length > m->cap) {
		size_t cap = (m->len + length) * 2;
		uint8_t *p = realloc(m->data, cap);

		if (p == NULL) {
			return CAIRO_STATUS_NO_MEMORY;
		}
		m->data = p;
		m->cap = cap;
	}
	memcpy(m->data + m->len, data, length);
	m->len += length;
	return CAIRO_STATUS_SUCCESS;
}

/* A one-page A4 PDF built in memory (a test page, no personal data). */
static void make_pdf(struct membuf *m)
{
	cairo_surface_t *s;
	cairo_t *cr;

	memset(m, 0, sizeof(*m));
	s = cairo_pdf_surface_create_for_stream(mem_write, m, 595.276, 841.89);
	assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
	cr = cairo_create(s);
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_rectangle(cr, 72, 72, 200, 200);
	cairo_fill(cr);
	/* Shapes only: text would load fontconfig, whose caches LSan reports. */
	cairo_arc(cr, 400, 400, 80, 0, 6.2832);
	cairo_stroke(cr);
	cairo_show_page(cr);
	cairo_destroy(cr);
	cairo_surface_finish(s);
	assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
	cairo_surface_destroy(s);
	assert_true(m->len > 100);
	assert_memory_equal(m->data, "%PDF-", 5);
}

static const char *rig_env(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL || *v == '\0') {
		fail_msg("%s not set: run under tools/printer-rig/printer-rig.sh", name);
	}
	return v;
}

static void set_fault(const char *fault)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/fault", rig_env("PRINTER_RIG_DIR"));
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(fault, f);
	assert_int_equal(fclose(f), 0);
}

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	if (d == NULL) {
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			n++;
		}
	}
	closedir(d);
	return n;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void open_rig_printer(struct hal_printer *p, unsigned timeout_ms)
{
	struct hal_printer_config cfg = { 0 };

	cfg.uri = rig_env("PRINTER_RIG_URI");
	cfg.paper = "a4";
	cfg.dpi = 300;
	cfg.timeout_ms = timeout_ms;
	hal_printer_init(p);
	assert_int_equal(hal_printer_open(p, &hal_printer_ipp, &cfg), 0);
}

/* Where the kiosk process could leave files behind: its cwd, $HOME (libcups
 * reads ~/.cups) and $TMPDIR. Each is pointed at a fresh empty directory. */
struct sandbox {
	char root[256];
	char home[300];
	char tmp[300];
	char cwd[300];
	char old_cwd[1024];
};

static void sandbox_enter(struct sandbox *sb)
{
	/* Inside the rig's private dir, which the rig deletes even when a test fails. */
	snprintf(sb->root, sizeof(sb->root), "%s/sandbox.XXXXXX", rig_env("PRINTER_RIG_DIR"));
	assert_non_null(mkdtemp(sb->root));
	snprintf(sb->home, sizeof(sb->home), "%s/home", sb->root);
	snprintf(sb->tmp, sizeof(sb->tmp), "%s/tmp", sb->root);
	snprintf(sb->cwd, sizeof(sb->cwd), "%s/cwd", sb->root);
	assert_int_equal(mkdir(sb->home, 0700), 0);
	assert_int_equal(mkdir(sb->tmp, 0700), 0);
	assert_int_equal(mkdir(sb->cwd, 0700), 0);
	assert_non_null(getcwd(sb->old_cwd, sizeof(sb->old_cwd)));
	assert_int_equal(chdir(sb->cwd), 0);
	setenv("HOME", sb->home, 1);
	setenv("TMPDIR", sb->tmp, 1);
}

static void sandbox_leave_empty(struct sandbox *sb)
{
	assert_int_equal(chdir(sb->old_cwd), 0);
	assert_int_equal(count_entries(sb->home), 0);
	assert_int_equal(count_entries(sb->tmp), 0);
	assert_int_equal(count_entries(sb->cwd), 0);
	assert_int_equal(rmdir(sb->home), 0);
	assert_int_equal(rmdir(sb->tmp), 0);
	assert_int_equal(rmdir(sb->cwd), 0);
	assert_int_equal(rmdir(sb->root), 0);
}

/* Job @job_id's final state on the rig's printer, polled for at most 10 s;
 * its job-name copied to @name when not NULL. */
static int wait_job_end(int job_id, char *name, size_t name_cap)
{
	const char *uri = rig_env("PRINTER_RIG_URI");
	int state = 0;
	http_t *http;

	http = httpConnect2("localhost", atoi(rig_env("PRINTER_RIG_PORT")), NULL, AF_UNSPEC,
			    HTTP_ENCRYPTION_IF_REQUESTED, 1, 5000, NULL);
	assert_non_null(http);
	httpSetTimeout(http, 5.0, NULL, NULL);
	for (int i = 0; i < 100 && state < IPP_JSTATE_CANCELED; i++) {
		ipp_t *req = ippNewRequest(IPP_OP_GET_JOB_ATTRIBUTES);
		ipp_t *resp;
		ipp_attribute_t *a;

		ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, uri);
		ippAddInteger(req, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", job_id);
		resp = cupsDoRequest(http, req, "/ipp/print");
		assert_non_null(resp);
		a = ippFindAttribute(resp, "job-state", IPP_TAG_ENUM);
		assert_non_null(a);
		state = ippGetInteger(a, 0);
		a = ippFindAttribute(resp, "job-name", IPP_TAG_NAME);
		if (name != NULL) {
			snprintf(name, name_cap, "%s", a != NULL ? ippGetString(a, 0, NULL) : "");
		}
		ippDelete(resp);
		if (state < IPP_JSTATE_CANCELED) {
			usleep(100000);
		}
	}
	httpClose(http);
	return state;
}

static void test_print_completes(void **state)
{
	struct hal_printer_status st;
	struct hal_printer p;
	struct sandbox sb;
	struct membuf pdf;
	char path[600];
	char json[512];
	char name[64];
	uint8_t *back;
	struct stat sbuf;
	FILE *f;

	(void)state;
	make_pdf(&pdf);
	sandbox_enter(&sb);
	open_rig_printer(&p, 20000);
	assert_int_equal(hal_printer_status(&p, &st), 0);
	assert_true(st.reachable);
	assert_true(st.ready);
	assert_int_equal(st.err, 0);
	assert_int_equal(hal_printer_status_json(&st, json, sizeof(json)), 0);
	assert_non_null(strstr(json, "\"ready\":true"));
	assert_int_equal(hal_printer_print_pdf(&p, pdf.data, pdf.len, "certificate", 0), 0);
	assert_int_equal(p.jobs, 1);
	hal_printer_close(&p);
	sandbox_leave_empty(&sb);

	/* The printer received exactly the bytes, as one document. */
	assert_int_equal(count_entries(rig_env("PRINTER_RIG_RECEIVED")), 1);
	snprintf(path, sizeof(path), "%s/job-1.pdf", rig_env("PRINTER_RIG_RECEIVED"));
	assert_int_equal(stat(path, &sbuf), 0);
	assert_int_equal((size_t)sbuf.st_size, pdf.len);
	back = malloc(pdf.len);
	assert_non_null(back);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(back, 1, pdf.len, f), pdf.len);
	fclose(f);
	assert_memory_equal(back, pdf.data, pdf.len);
	free(back);
	free(pdf.data);
	/* What the printer's job history keeps: a plain word, no personal data. */
	assert_int_equal(wait_job_end(1, name, sizeof(name)), IPP_JSTATE_COMPLETED);
	assert_string_equal(name, "certificate");
}

/* The printer reports @fault during the job: the right error, in time, then
 * status shows it and a second print is not even sent. */
static void fault_case(const char *fault, int want)
{
	struct hal_printer_status st;
	struct hal_printer p;
	struct membuf pdf;
	uint64_t t0;

	make_pdf(&pdf);
	set_fault(fault);
	open_rig_printer(&p, 10000);
	t0 = now_ms();
	assert_int_equal(hal_printer_print_pdf(&p, pdf.data, pdf.len, NULL, 0), want);
	assert_true(now_ms() - t0 < 10000);
	assert_int_equal(count_entries(rig_env("PRINTER_RIG_RECEIVED")), 1);

	assert_int_equal(hal_printer_status(&p, &st), 0);
	assert_true(st.reachable);
	assert_false(st.ready);
	assert_int_equal(st.err, want);
	assert_int_equal(hal_printer_print_pdf(&p, pdf.data, pdf.len, NULL, 0), want);
	assert_int_equal(count_entries(rig_env("PRINTER_RIG_RECEIVED")), 1);
	assert_int_equal(p.jobs, 0);
	hal_printer_close(&p);
	free(pdf.data);
}

static void test_media_empty(void **state)
{
	(void)state;
	fault_case("media-empty", KIOSK_ERR_MEDIA_EMPTY);
}

static void test_media_jam(void **state)
{
	(void)state;
	fault_case("media-jam", KIOSK_ERR_MEDIA_JAM);
}

static void test_door_open(void **state)
{
	(void)state;
	fault_case("door-open", KIOSK_ERR_DOOR_OPEN);
}

static void test_toner_empty(void **state)
{
	(void)state;
	fault_case("toner-empty", KIOSK_ERR_TONER_EMPTY);
}

static void test_offline(void **state)
{
	(void)state;
	fault_case("offline", KIOSK_ERR_PRINTER_OFFLINE);
}

static void test_unreachable(void **state)
{
	struct hal_printer_config cfg = { 0 };
	struct hal_printer_status st;
	struct hal_printer p;
	struct membuf pdf;
	char uri[128];
	uint64_t t0;

	(void)state;
	make_pdf(&pdf);
	/* The rig's private network namespace: nothing listens on the next port. */
	snprintf(uri, sizeof(uri), "ipp://localhost:%d/ipp/print",
		 atoi(rig_env("PRINTER_RIG_PORT")) + 1);
	cfg.uri = uri;
	cfg.timeout_ms = 5000;
	hal_printer_init(&p);
	assert_int_equal(hal_printer_open(&p, &hal_printer_ipp, &cfg), 0);
	t0 = now_ms();
	assert_int_equal(hal_printer_print_pdf(&p, pdf.data, pdf.len, NULL, 0),
			 KIOSK_ERR_PRINTER_UNREACHABLE);
	assert_true(now_ms() - t0 < 5000);
	assert_int_equal(hal_printer_status(&p, &st), KIOSK_ERR_PRINTER_UNREACHABLE);
	assert_false(st.reachable);
	hal_printer_close(&p);
	assert_int_equal(count_entries(rig_env("PRINTER_RIG_RECEIVED")), 0);
	free(pdf.data);
}

static void test_job_timeout(void **state)
{
	struct hal_printer p;
	struct membuf pdf;
	uint64_t t0;
	uint64_t took;

	(void)state;
	make_pdf(&pdf);
	set_fault("hold");
	open_rig_printer(&p, 60000);
	t0 = now_ms();
	assert_int_equal(hal_printer_print_pdf(&p, pdf.data, pdf.len, NULL, 1500),
			 KIOSK_ERR_PRINTER_TIMEOUT);
	took = now_ms() - t0;
	/* The job's deadline, plus at most the bounded cancel. */
	assert_true(took >= 1500);
	assert_true(took < 1500 + 4000);
	/* The job was cancelled: released from its hold, it ends "canceled",
	 * never "completed" (no certificate comes out after the resident left). */
	set_fault("");
	assert_int_equal(wait_job_end(1, NULL, 0), IPP_JSTATE_CANCELED);
	hal_printer_close(&p);
	free(pdf.data);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_print_completes),
		cmocka_unit_test(test_media_empty),
		cmocka_unit_test(test_media_jam),
		cmocka_unit_test(test_door_open),
		cmocka_unit_test(test_toner_empty),
		cmocka_unit_test(test_offline),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_job_timeout),
	};
	char filter[64];

	/* One scenario per rig: the printer's state reasons persist across jobs. */
	if (argc > 1) {
		snprintf(filter, sizeof(filter), "test_%s", argv[1]);
		cmocka_set_test_filter(filter);
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
