/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kiosk/board.h"
#include "kiosk/err.h"

static int parse(struct kiosk_board *b, const char *text, char *why, size_t cap)
{
	kiosk_board_init(b);
	return kiosk_board_parse(b, text, strlen(text), why, cap);
}

static void test_parse_all_keys(void **state)
{
	struct kiosk_board b;
	char why[128] = "";
	const char *text = "# comment\n"
			   "name = unit\n"
			   "production = true\r\n"
			   "reader.backend = sim\n"
			   "  reader.pattern =  ACS ACR39U  \n"
			   "reader.apdu_timeout_ms = 1500\n"
			   "card.wait_ms = 20000\n"
			   "card.presence_proof = off\n"
			   "card.sfi = 0\n"
			   "card.extended_length = false\n"
			   "card.anchors_dir = /etc/kiosk/anchors\n"
			   "render.shc_qr_ecc = L\n"
			   "render.vdsnc_qr_ecc = auto\n"
			   "\n";

	(void)state;
	assert_int_equal(parse(&b, text, why, sizeof(why)), KIOSK_OK);
	assert_string_equal(b.name, "unit");
	assert_true(b.production);
	assert_string_equal(b.reader_backend, "sim");
	assert_string_equal(b.reader_pattern, "ACS ACR39U");
	assert_int_equal(b.apdu_timeout_ms, 1500);
	assert_int_equal(b.card_wait_ms, 20000);
	assert_false(b.presence_proof);
	assert_false(b.allow_sfi);
	assert_false(b.allow_extended);
	assert_string_equal(b.anchors_dir, "/etc/kiosk/anchors");
	assert_int_equal(b.shc_qr_ecc, 'L');
	assert_int_equal(b.vdsnc_qr_ecc, 0);
}

static void test_center_keys(void **state)
{
	struct kiosk_board b;
	char why[128] = "";
	const char *text = "center.url = https://center.example:8443/api\n"
			   "center.ca_file = /etc/kiosk/center-ca.pem\n"
			   "center.client_cert = @board@/kiosk.crt.pem\n"
			   "center.client_key = /etc/kiosk/kiosk.key.pem\n"
			   "center.kiosk_id = KIOSK-0042\n"
			   "center.connect_timeout_ms = 1000\n"
			   "center.handshake_timeout_ms = 2000\n"
			   "center.read_timeout_ms = 3000\n";

	(void)state;
	kiosk_board_init(&b);
	/* protocol defaults: connect 5 s, handshake 10 s, each read 15 s */
	assert_int_equal(b.center_connect_timeout_ms, 5000);
	assert_int_equal(b.center_handshake_timeout_ms, 10000);
	assert_int_equal(b.center_read_timeout_ms, 15000);
	snprintf(b.dir, sizeof(b.dir), "/boards/unit");
	assert_int_equal(kiosk_board_parse(&b, text, strlen(text), why, sizeof(why)), KIOSK_OK);
	assert_string_equal(b.center_url, "https://center.example:8443/api");
	assert_string_equal(b.center_ca_file, "/etc/kiosk/center-ca.pem");
	assert_string_equal(b.center_client_cert, "/boards/unit/kiosk.crt.pem");
	assert_string_equal(b.center_client_key, "/etc/kiosk/kiosk.key.pem");
	assert_string_equal(b.center_kiosk_id, "KIOSK-0042");
	assert_int_equal(b.center_connect_timeout_ms, 1000);
	assert_int_equal(b.center_handshake_timeout_ms, 2000);
	assert_int_equal(b.center_read_timeout_ms, 3000);
	assert_int_equal(parse(&b, "center.read_timeout_ms = 0\n", why, sizeof(why)),
			 KIOSK_ERR_CONFIG);
	assert_int_equal(parse(&b, "center.connect_timeout_ms = 5s\n", why, sizeof(why)),
			 KIOSK_ERR_CONFIG);
	assert_int_equal(parse(&b, "center.kiosk_id = "
				   "01234567890123456789012345678901"
				   "23456789012345678901234567890123\n",
			       why, sizeof(why)),
			 KIOSK_ERR_CONFIG);
}

static void test_printer_keys(void **state)
{
	static const char *bad[] = {
		"printer.backend = cups\n",            /* no local spooler */
		"printer.uri = http://printer/ipp\n",  /* not an IPP URI */
		"printer.dpi = 72\n",                  /* too coarse for the QR codes */
		"printer.dpi = 600dpi\n",
		"printer.paper = letter\n",            /* the page is A4 */
		"printer.timeout_ms = 0\n",
	};
	struct kiosk_board b;
	char why[128] = "";
	const char *text = "printer.backend = preview\n"
			   "printer.uri = ipps://printer.kiosk.lan:631/ipp/print\n"
			   "printer.dpi = 600\n"
			   "printer.paper = a4\n"
			   "printer.timeout_ms = 45000\n";

	(void)state;
	assert_int_equal(parse(&b, text, why, sizeof(why)), KIOSK_OK);
	assert_string_equal(b.printer_backend, "preview");
	assert_string_equal(b.printer_uri, "ipps://printer.kiosk.lan:631/ipp/print");
	assert_int_equal(b.printer_dpi, 600);
	assert_string_equal(b.printer_paper, "a4");
	assert_int_equal(b.printer_timeout_ms, 45000);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_int_equal(parse(&b, bad[i], why, sizeof(why)), KIOSK_ERR_CONFIG);
		assert_non_null(strstr(why, "invalid value"));
	}
}

static void test_defaults(void **state)
{
	struct kiosk_board b;

	(void)state;
	kiosk_board_init(&b);
	assert_false(b.production);
	assert_int_equal(b.apdu_timeout_ms, 5000);
	assert_true(b.presence_proof);
	assert_string_equal(b.reader_backend, "pcsc");
	assert_string_equal(b.printer_backend, "ipp");
	assert_string_equal(b.printer_paper, "a4");
	assert_int_equal(b.printer_dpi, 300);
	assert_int_equal(b.printer_timeout_ms, 60000);
}

static void test_rejects_bad_input(void **state)
{
	static const char *bad[] = {
		"nmae = typo\n",                      /* unknown key */
		"production = maybe\n",               /* bad bool */
		"reader.apdu_timeout_ms = 0\n",       /* zero watchdog */
		"reader.apdu_timeout_ms = 5s\n",      /* trailing junk */
		"reader.apdu_timeout_ms = 99999999999999999999\n",
		"reader.backend = usb\n",             /* unknown backend */
		"render.shc_qr_ecc = X\n",           /* not a QR level */
		"just some words\n",                  /* no '=' */
		"name = 0123456789012345678901234567890123456789012345678901234567890123456789\n",
	};
	struct kiosk_board b;
	char why[128];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_int_equal(parse(&b, bad[i], why, sizeof(why)), KIOSK_ERR_CONFIG);
		assert_non_null(strstr(why, "line 1"));
	}
}

static void test_rejects_long_line_and_nul(void **state)
{
	struct kiosk_board b;
	char why[128];
	char *text = malloc(2000);
	const char nul[] = "name = a\0b\n";

	(void)state;
	assert_non_null(text);
	memset(text, 'x', 1999);
	text[1999] = '\0';
	assert_int_equal(parse(&b, text, why, sizeof(why)), KIOSK_ERR_CONFIG);
	assert_non_null(strstr(why, "too long"));
	free(text);
	kiosk_board_init(&b);
	assert_int_equal(kiosk_board_parse(&b, nul, sizeof(nul) - 1, why, sizeof(why)),
			 KIOSK_ERR_CONFIG);
}

static void test_load_shipped_boards(void **state)
{
	struct kiosk_board b;
	char why[256] = "";
	const char *src = getenv("KIOSK_SOURCE_DIR");
	char dir[4096];

	(void)state;
	assert_non_null(src);
	snprintf(dir, sizeof(dir), "%s/board", src);
	setenv("KIOSK_BOARD_DIR", dir, 1);
	assert_int_equal(kiosk_board_load(&b, "sim", why, sizeof(why)), KIOSK_OK);
	assert_false(b.production);
	assert_string_equal(b.reader_pattern, "Virtual PCD");
	/* @build@ was expanded to an absolute path */
	assert_int_equal(b.anchors_dir[0], '/');
	assert_non_null(strstr(b.anchors_dir, "/test-pki/anchors"));
	assert_non_null(strstr(b.center_ca_file, "/center-pki/center-ca.crt.pem"));
	assert_int_equal(b.center_client_key[0], '/');
	assert_string_equal(b.center_kiosk_id, "KIOSK-SIM-0001");
	assert_int_equal(strncmp(b.center_url, "https://", 8), 0);
	assert_non_null(strstr(b.cert_issuer_jwks, "/center-pki/shc-jwks.json"));
	assert_non_null(strstr(b.cert_csca, "/center-pki/csca.crt.pem"));
	/* The simulated board prints to the preview file; production boards use IPP. */
	assert_string_equal(b.printer_backend, "preview");
	assert_int_equal(kiosk_board_load(&b, "pcsc-generic", why, sizeof(why)), KIOSK_OK);
	assert_true(b.production);
	assert_string_equal(b.printer_backend, "ipp");
	assert_int_equal(strncmp(b.printer_uri, "ipp", 3), 0);
	assert_int_equal(strncmp(b.center_url, "https://", 8), 0);
	assert_int_equal(kiosk_board_load(&b, "no-such-board", why, sizeof(why)),
			 KIOSK_ERR_CONFIG);
	assert_non_null(strstr(why, "cannot read"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_all_keys),
		cmocka_unit_test(test_center_keys),
		cmocka_unit_test(test_printer_keys),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_rejects_bad_input),
		cmocka_unit_test(test_rejects_long_line_and_nul),
		cmocka_unit_test(test_load_shipped_boards),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
