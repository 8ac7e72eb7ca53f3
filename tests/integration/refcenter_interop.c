/* SPDX-License-Identifier: MIT */
/*
 * Interoperability: the firmware's center client (mbedTLS, firmware/center)
 * against the reference center (GnuTLS, tools/center) on loopback. The card
 * model signs each challenge. Covers municipalities, domestic and overseas
 * certificates, a reused client, and the one retry after a dropped answer.
 */
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "kiosk/center.h"
#include "kiosk/err.h"
#include "kiosk/vault.h"
#include "refcenter_card.h"
#include "refcenter_verify.h"

#define KIOSK "KIOSK-SIM-0001"

static char pki[4096];

struct srv {
	pid_t pid;
	unsigned port;
};

static void srv_start(struct srv *s, const char *fault)
{
	int fds[2];
	char fdtext[16], line[128] = "", anchors[4200];
	struct pollfd p;
	ssize_t got = 0;

	assert_int_equal(pipe(fds), 0);
	snprintf(fdtext, sizeof(fdtext), "%d", fds[1]);
	snprintf(anchors, sizeof(anchors), "%s/anchors", getenv("KIOSK_TEST_PKI"));
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid == 0) {
		close(fds[0]);
		if (fault != NULL) {
			execl(REFC_BIN, REFC_BIN, "--port", "0", "--pki", pki, "--card-anchors",
			      anchors, "--data", REFC_FIXTURES, "--ready-fd", fdtext, "--fault",
			      fault, (char *)NULL);
		} else {
			execl(REFC_BIN, REFC_BIN, "--port", "0", "--pki", pki, "--card-anchors",
			      anchors, "--data", REFC_FIXTURES, "--ready-fd", fdtext, (char *)NULL);
		}
		_exit(127);
	}
	close(fds[1]);
	p.fd = fds[0];
	p.events = POLLIN;
	while (strchr(line, '\n') == NULL) {
		ssize_t r;

		assert_int_equal(poll(&p, 1, 20000), 1);
		r = read(fds[0], line + got, sizeof(line) - 1 - (size_t)got);
		assert_true(r > 0);
		got += r;
		line[got] = '\0';
	}
	close(fds[0]);
	assert_int_equal(sscanf(line, "ready %u", &s->port), 1);
}

static void srv_stop(struct srv *s)
{
	int status = 0;

	kill(s->pid, SIGTERM);
	assert_int_equal(waitpid(s->pid, &status, 0), s->pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

struct fx {
	struct srv srv;
	struct center_client client;
	struct kiosk_vault vault;
	char url[64], ca[4200], cert[4200], key[4200];
};

static void client_open(struct fx *f)
{
	struct center_settings s = {0};

	snprintf(f->url, sizeof(f->url), "https://localhost:%u", f->srv.port);
	snprintf(f->ca, sizeof(f->ca), "%s/center-ca.crt.pem", pki);
	snprintf(f->cert, sizeof(f->cert), "%s/kiosk.crt.pem", pki);
	snprintf(f->key, sizeof(f->key), "%s/kiosk.key.pem", pki);
	s.url = f->url;
	s.ca_file = f->ca;
	s.client_cert = f->cert;
	s.client_key = f->key;
	s.kiosk_id = KIOSK;
	s.connect_timeout_ms = 5000;
	s.handshake_timeout_ms = 10000;
	s.read_timeout_ms = 15000;
	s.retries = CENTER_RETRIES_DEFAULT;
	center_client_init(&f->client);
	assert_int_equal(center_client_setup(&f->client, &s), 0);
	kiosk_vault_init(&f->vault);
	assert_int_equal(kiosk_vault_setup(&f->vault, CENTER_CERT_VAULT_NEED + 64 * 1024), 0);
}

static int setup_plain(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	snprintf(pki, sizeof(pki), "%s", getenv("KIOSK_CENTER_PKI"));
	srv_start(&f->srv, NULL);
	client_open(f);
	*state = f;
	return 0;
}

static int setup_drop(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	snprintf(pki, sizeof(pki), "%s", getenv("KIOSK_CENTER_PKI"));
	srv_start(&f->srv, "drop=1");
	client_open(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	center_client_free(&f->client);
	kiosk_vault_free(&f->vault);
	srv_stop(&f->srv);
	free(f);
	return 0;
}

/* challenge -> card signature -> certificate, with the firmware client. */
static int fetch(struct fx *f, const char *persona, const char *muni, enum center_cert_type t,
		 struct center_certificate *out)
{
	static struct refc_evidence e;
	struct center_challenge ch;
	struct center_cert_request req;

	memset(&req, 0, sizeof(req));
	assert_int_equal(center_post_challenge(&f->client, &ch), 0);
	assert_int_equal(ch.expires_in, 60);
	assert_int_equal(refc_card_evidence(persona, ch.bytes, sizeof(ch.bytes), &e), 0);
	assert_int_equal(center_new_request_id(&f->client, req.request_id), 0);
	req.municipality = muni;
	req.type = t;
	req.challenge = ch.text;
	req.ef0001 = e.ef[0];
	req.ef0001_len = e.len[0];
	req.ef0002 = e.ef[1];
	req.ef0002_len = e.len[1];
	req.ef0003 = e.ef[2];
	req.ef0003_len = e.len[2];
	req.ef0004 = e.ef[3];
	req.ef0004_len = e.len[3];
	req.ef0007 = e.ef[4];
	req.ef0007_len = e.len[4];
	req.signature = e.sig;
	req.signature_len = e.sig_len;
	kiosk_vault_wipe(&f->vault);
	return center_request_certificate(&f->client, &req, &f->vault, out);
}

static bool shc_ok(const char *shc)
{
	char key[4200], jwks[4200];
	cJSON *claims;

	snprintf(key, sizeof(key), "%s/shc-issuer.key.pem", pki);
	snprintf(jwks, sizeof(jwks), "%s/shc-jwks.json", pki);
	claims = refc_shc_open(shc, key, refc_jwks_kid(jwks));
	cJSON_Delete(claims);
	return claims != NULL;
}

static void municipalities(void **state)
{
	struct fx *f = *state;
	struct center_municipality m[8];
	size_t n = 0;

	assert_int_equal(center_get_municipalities(&f->client, m, 8, &n), 0);
	assert_int_equal(n, 2);
	/* the next connection resumes the TLS session (ticket) instead of a full handshake,
	 * and the client certificate of the resumed session is still accepted */
	assert_int_equal(center_get_municipalities(&f->client, m, 8, &n), 0);
	assert_true(f->client.last_resumed);
	assert_true(f->client.handshakes_resumed >= 1);
	assert_string_equal(m[0].code, "131016");
	assert_string_equal(m[1].name_en, "Osaka City");
	assert_true(m[1].overseas);
}

static void domestic_and_overseas(void **state)
{
	struct fx *f = *state;
	struct center_certificate c;

	assert_int_equal(fetch(f, "standard", "131016", CENTER_CERT_DOMESTIC, &c), 0);
	assert_true(shc_ok(c.shc));
	assert_null(c.vdsnc);
	assert_string_equal(c.municipality, "131016");
	/* the same client again (a later resident): still fine */
	assert_int_equal(fetch(f, "foreign", "271004", CENTER_CERT_OVERSEAS, &c), 0);
	assert_true(shc_ok(c.shc));
	assert_non_null(c.vdsnc);
	{
		cJSON *seal = cJSON_Parse(c.vdsnc);

		assert_true(refc_vdsnc_verify(seal));
		cJSON_Delete(seal);
	}
}

static void typed_errors(void **state)
{
	struct fx *f = *state;
	struct center_certificate c;

	assert_int_equal(fetch(f, "one_try", "131016", CENTER_CERT_DOMESTIC, &c),
			 KIOSK_ERR_CENTER_NO_RECORDS);
	assert_int_equal(fetch(f, "standard", "011002", CENTER_CERT_DOMESTIC, &c),
			 KIOSK_ERR_CENTER_NOT_PARTICIPATING);
	assert_int_equal(fetch(f, "standard", "131016", CENTER_CERT_OVERSEAS, &c),
			 KIOSK_ERR_CENTER_OVERSEAS_NOT_REGISTERED);
}

static void dropped_answer_is_retried(void **state)
{
	struct fx *f = *state;
	struct center_certificate c;

	/* the first answer is cut mid-body; the one retry (same request id) gets it */
	assert_int_equal(fetch(f, "standard", "131016", CENTER_CERT_DOMESTIC, &c), 0);
	assert_true(shc_ok(c.shc));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(municipalities, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(domestic_and_overseas, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(typed_errors, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(dropped_answer_is_retried, setup_drop, teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
