/* SPDX-License-Identifier: MIT */
/* Client setup from the board's files, request ids, unreachable center. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kiosk/center.h"
#include "kiosk/err.h"

static char pki_path[8][512];

static const char *pki(int slot, const char *name)
{
	const char *dir = getenv("KIOSK_CENTER_PKI");

	assert_non_null(dir);
	snprintf(pki_path[slot], sizeof(pki_path[slot]), "%s/%s", dir, name);
	return pki_path[slot];
}

static void good_settings(struct center_settings *s, const char *url)
{
	memset(s, 0, sizeof(*s));
	s->url = url;
	s->ca_file = pki(0, "center-ca.crt.pem");
	s->client_cert = pki(1, "kiosk.crt.pem");
	s->client_key = pki(2, "kiosk.key.pem");
	s->kiosk_id = "KIOSK-SIM-0001";
	s->connect_timeout_ms = 2000;
	s->handshake_timeout_ms = 2000;
	s->read_timeout_ms = 2000;
	s->retries = 1;
}

static void test_setup_and_free(void **state)
{
	struct center_client c;
	struct center_settings s;

	(void)state;
	center_client_init(&c);
	good_settings(&s, "https://localhost:8443/base");
	assert_int_equal(center_client_setup(&c, &s), KIOSK_OK);
	assert_string_equal(c.host, "localhost");
	assert_string_equal(c.port, "8443");
	assert_string_equal(c.prefix, "/base");
	assert_false(c.host_is_ip);
	center_client_free(&c);
	center_client_free(&c); /* idempotent */
	center_client_free(NULL);

	center_client_init(&c);
	good_settings(&s, "https://127.0.0.1:1");
	assert_int_equal(center_client_setup(&c, &s), KIOSK_OK);
	assert_true(c.host_is_ip);
	assert_int_equal(c.host_ip_len, 4);
	center_client_free(&c);
}

static void test_setup_refuses_bad_config(void **state)
{
	struct center_client c;
	struct center_settings s;

	(void)state;
	good_settings(&s, "http://localhost");
	center_client_init(&c);
	assert_int_equal(center_client_setup(&c, &s), KIOSK_ERR_CONFIG);
	center_client_free(&c);

	good_settings(&s, "https://localhost");
	s.ca_file = pki(0, "no-such-file.pem");
	center_client_init(&c);
	assert_int_equal(center_client_setup(&c, &s), KIOSK_ERR_CONFIG);
	center_client_free(&c);

	/* a key that does not belong to the certificate */
	good_settings(&s, "https://localhost");
	s.client_key = pki(2, "kiosk-rogue.key.pem");
	center_client_init(&c);
	assert_int_equal(center_client_setup(&c, &s), KIOSK_ERR_CONFIG);
	center_client_free(&c);

	good_settings(&s, "https://localhost");
	s.kiosk_id = "KIOSK \"1\"";
	center_client_init(&c);
	assert_int_equal(center_client_setup(&c, &s), KIOSK_ERR_CONFIG);
	center_client_free(&c);

	/* kiosk_id must be the client certificate's CN */
	good_settings(&s, "https://localhost");
	s.kiosk_id = "KIOSK-SIM-0002";
	center_client_init(&c);
	assert_int_equal(center_client_setup(&c, &s), KIOSK_ERR_CONFIG);
	center_client_free(&c);

	good_settings(&s, "https://localhost");
	s.retries = CENTER_RETRIES_MAX + 1;
	center_client_init(&c);
	assert_int_equal(center_client_setup(&c, &s), KIOSK_ERR_CONFIG);
	center_client_free(&c);
}

static void test_request_ids(void **state)
{
	struct center_client c;
	struct center_settings s;
	char a[CENTER_REQUEST_ID_LEN + 1];
	char b[CENTER_REQUEST_ID_LEN + 1];

	(void)state;
	center_client_init(&c);
	good_settings(&s, "https://localhost");
	assert_int_equal(center_client_setup(&c, &s), KIOSK_OK);
	assert_int_equal(center_new_request_id(&c, a), KIOSK_OK);
	assert_int_equal(center_new_request_id(&c, b), KIOSK_OK);
	assert_int_equal(strlen(a), CENTER_REQUEST_ID_LEN);
	assert_int_equal(strspn(a, "0123456789abcdef"), CENTER_REQUEST_ID_LEN);
	assert_string_not_equal(a, b);
	center_client_free(&c);
}

static void test_unreachable(void **state)
{
	struct center_client c;
	struct center_settings s;
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	char url[64];
	struct center_municipality m[2];
	size_t n = 7;
	int fd;

	(void)state;
	/* a port that was free a moment ago and has no listener */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	close(fd);
	snprintf(url, sizeof(url), "https://127.0.0.1:%u", ntohs(sa.sin_port));
	center_client_init(&c);
	good_settings(&s, url);
	assert_int_equal(center_client_setup(&c, &s), KIOSK_OK);
	assert_int_equal(center_connect(&c), KIOSK_ERR_CENTER_UNREACHABLE);
	assert_int_equal(center_get_municipalities(&c, m, 2, &n), KIOSK_ERR_CENTER_UNREACHABLE);
	assert_int_equal(n, 0);
	assert_int_equal(c.bytes_sent, 0);
	center_client_free(&c);
}

static void test_settings_from_board(void **state)
{
	struct kiosk_board b;
	struct center_settings s;

	(void)state;
	kiosk_board_init(&b);
	snprintf(b.center_url, sizeof(b.center_url), "https://x");
	snprintf(b.center_kiosk_id, sizeof(b.center_kiosk_id), "K");
	center_settings_from_board(&s, &b);
	assert_string_equal(s.url, "https://x");
	assert_string_equal(s.kiosk_id, "K");
	assert_int_equal(s.connect_timeout_ms, 5000);
	assert_int_equal(s.handshake_timeout_ms, 10000);
	assert_int_equal(s.read_timeout_ms, 15000);
	assert_int_equal(s.retries, CENTER_RETRIES_DEFAULT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_setup_and_free),
		cmocka_unit_test(test_setup_refuses_bad_config),
		cmocka_unit_test(test_request_ids),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_settings_from_board),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
