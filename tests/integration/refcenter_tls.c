/* SPDX-License-Identifier: MIT */
/*
 * The reference center as a real server on loopback: kiosk-center started
 * with --ready-fd (no sleeps), driven over real TLS by curl (OpenSSL) with
 * the kiosk's client certificate while the server runs GnuTLS. Card evidence
 * comes from the card model signing the center's challenge.
 */
#include <errno.h>
#include <fcntl.h>
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
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "center.h"
#include "refcenter_card.h"
#include "refcenter_verify.h"

#define KIOSK "KIOSK-SIM-0001"

struct srv {
	pid_t pid;
	unsigned port;
	unsigned admin;
};

static char pki[4096];
static char logdir[64];

enum client { CLIENT_KIOSK, CLIENT_NONE, CLIENT_ROGUE };

struct reply {
	int curl_exit;
	int http;
	char *body; /* malloc'd */
	size_t len;
	double secs;
};

static void srv_start(struct srv *s, const char *const *extra)
{
	int fds[2];
	char fdtext[16], line[128] = "";
	char anchors[4200], data[4200];
	const char *argv[40];
	int n = 0;
	struct pollfd p;
	ssize_t got = 0;

	assert_int_equal(pipe(fds), 0);
	snprintf(fdtext, sizeof(fdtext), "%d", fds[1]);
	snprintf(anchors, sizeof(anchors), "%s/anchors", getenv("KIOSK_TEST_PKI"));
	snprintf(data, sizeof(data), "%s", REFC_FIXTURES);
	argv[n++] = REFC_BIN;
	argv[n++] = "--port";
	argv[n++] = "0";
	argv[n++] = "--pki";
	argv[n++] = pki;
	argv[n++] = "--card-anchors";
	argv[n++] = anchors;
	argv[n++] = "--data";
	argv[n++] = data;
	argv[n++] = "--admin-port";
	argv[n++] = "0";
	argv[n++] = "--ready-fd";
	argv[n++] = fdtext;
	for (size_t i = 0; extra != NULL && extra[i] != NULL; i++) {
		argv[n++] = extra[i];
	}
	argv[n] = NULL;
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid == 0) {
		char log[128];
		int lfd;

		/* the server's log, checked for personal data at the end */
		snprintf(log, sizeof(log), "%s/center.log", logdir);
		lfd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (lfd >= 0) {
			dup2(lfd, 2);
			close(lfd);
		}
		close(fds[0]);
		execv(REFC_BIN, (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	p.fd = fds[0];
	p.events = POLLIN;
	/* wait for the ready line (bounded; no blind sleep) */
	while (got < (ssize_t)sizeof(line) - 1 && strchr(line, '\n') == NULL) {
		ssize_t r;

		assert_int_equal(poll(&p, 1, 20000), 1);
		r = read(fds[0], line + got, sizeof(line) - 1 - (size_t)got);
		assert_true(r > 0);
		got += r;
		line[got] = '\0';
	}
	close(fds[0]);
	assert_int_equal(sscanf(line, "ready %u admin %u", &s->port, &s->admin), 2);
}

static int srv_stop(struct srv *s)
{
	int status = 0;

	assert_int_equal(kill(s->pid, SIGTERM), 0);
	assert_int_equal(waitpid(s->pid, &status, 0), s->pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One request with curl; @body NULL for GET. @host "localhost" unless NULL. */
static void call(unsigned port, bool https, enum client who, const char *method, const char *path,
		 const char *body, struct reply *r)
{
	char url[256], cacert[4200], cert[4200], key[4200];
	const char *argv[40];
	int in[2], out[2], n = 0, status = 0;
	pid_t pid;
	size_t cap = 1 << 16;
	char *nl;
	double t0 = now_s();

	memset(r, 0, sizeof(*r));
	snprintf(url, sizeof(url), "%s://%s:%u%s", https ? "https" : "http",
		 https ? "localhost" : "127.0.0.1", port, path);
	snprintf(cacert, sizeof(cacert), "%s/center-ca.crt.pem", pki);
	snprintf(cert, sizeof(cert), "%s/%s.crt.pem", pki,
		 who == CLIENT_ROGUE ? "kiosk-rogue" : "kiosk");
	snprintf(key, sizeof(key), "%s/%s.key.pem", pki,
		 who == CLIENT_ROGUE ? "kiosk-rogue" : "kiosk");
	argv[n++] = "curl";
	argv[n++] = "-sS";
	argv[n++] = "--max-time";
	argv[n++] = "20";
	argv[n++] = "-X";
	argv[n++] = method;
	argv[n++] = "-w";
	argv[n++] = "\n%{http_code}";
	argv[n++] = "-H";
	argv[n++] = "Kiosk-Protocol: 1";
	if (https) {
		argv[n++] = "--cacert";
		argv[n++] = cacert;
		if (who != CLIENT_NONE) {
			argv[n++] = "--cert";
			argv[n++] = cert;
			argv[n++] = "--key";
			argv[n++] = key;
		}
	}
	if (body != NULL) {
		argv[n++] = "-H";
		argv[n++] = "Content-Type: application/json; charset=utf-8";
		argv[n++] = "--data-binary";
		argv[n++] = "@-";
	}
	argv[n++] = url;
	argv[n] = NULL;
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execvp("curl", (char *const *)argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	if (body != NULL) {
		size_t off = 0, len = strlen(body);

		while (off < len) {
			ssize_t w = write(in[1], body + off, len - off);

			assert_true(w > 0);
			off += (size_t)w;
		}
	}
	close(in[1]);
	r->body = malloc(cap);
	for (;;) {
		ssize_t got;

		if (r->len + 1 >= cap) {
			cap *= 2;
			r->body = realloc(r->body, cap);
		}
		got = read(out[0], r->body + r->len, cap - 1 - r->len);
		if (got <= 0) {
			break;
		}
		r->len += (size_t)got;
	}
	r->body[r->len] = '\0';
	close(out[0]);
	waitpid(pid, &status, 0);
	r->curl_exit = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	r->secs = now_s() - t0;
	nl = strrchr(r->body, '\n');
	if (nl != NULL) {
		r->http = atoi(nl + 1);
		*nl = '\0';
		r->len = (size_t)(nl - r->body);
	}
}

static cJSON *expect_json(struct reply *r, int http, const char *error)
{
	cJSON *o;

	if (r->curl_exit != 0 || r->http != http) {
		fail_msg("curl %d http %d (want %d): %.300s", r->curl_exit, r->http, http, r->body);
	}
	o = cJSON_Parse(r->body);
	assert_non_null(o);
	if (error != NULL) {
		assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(o, "error")), error);
	}
	return o;
}

static struct srv S;

static int group_setup(void **state)
{
	(void)state;
	snprintf(pki, sizeof(pki), "%s", getenv("KIOSK_CENTER_PKI"));
	snprintf(logdir, sizeof(logdir), "/tmp/refcenter-tls.XXXXXX");
	if (mkdtemp(logdir) == NULL) {
		return -1;
	}
	srv_start(&S, NULL);
	return 0;
}

static int group_teardown(void **state)
{
	char path[128];
	int rc = srv_stop(&S) == 0 ? 0 : -1;

	(void)state;
	snprintf(path, sizeof(path), "%s/center.log", logdir);
	unlink(path);
	rmdir(logdir);
	return rc;
}

/* Runs last: the log of everything above names no resident. */
static void log_has_no_personal_data(void **state)
{
	static const char *const personal[] = {
		"123456789018", "271828182840", "161803398872", "見本", "花子", "SAMPLE",
		"MIHON",        "XZ7654321",    "1985",         "19850412", "1990-07-01",
		"FA5765",       "eyJ",          "shc",          "ef000",    "千代田",
	};
	char path[128], buf[1 << 16];
	size_t n;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/center.log", logdir);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "/v1/certificates rid=00000000000000000000000000000001 -> 200"));
	assert_non_null(strstr(buf, "-> 404 no_records"));
	for (size_t i = 0; i < sizeof(personal) / sizeof(personal[0]); i++) {
		if (strstr(buf, personal[i]) != NULL) {
			fail_msg("the center log contains \"%s\"", personal[i]);
		}
	}
}

static void admin_set(const char *name, const char *value)
{
	char path[128];
	struct reply r;

	snprintf(path, sizeof(path), "/admin/fault?name=%s&value=%s", name, value);
	call(S.admin, false, CLIENT_NONE, "POST", path, "", &r);
	assert_int_equal(r.http, 200);
	free(r.body);
}

/* A certificate request body for @persona with a fresh challenge. */
static char *cert_body(const char *persona, const char *rid, const char *muni, const char *type)
{
	static struct refc_evidence e;
	struct reply r;
	cJSON *o;
	uint8_t bytes[32];
	size_t n = 0;
	char *body;

	call(S.port, true, CLIENT_KIOSK, "POST", "/v1/challenges", "{\"kiosk_id\":\"" KIOSK "\"}",
	     &r);
	o = expect_json(&r, 201, NULL);
	assert_int_equal(rc_b64url_decode(cJSON_GetStringValue(cJSON_GetObjectItem(o, "challenge")),
					  bytes, sizeof(bytes), &n),
			 0);
	assert_int_equal(refc_card_evidence(persona, bytes, n, &e), 0);
	body = refc_request_json(&e, rid, KIOSK, muni, type,
				 cJSON_GetStringValue(cJSON_GetObjectItem(o, "challenge")));
	cJSON_Delete(o);
	free(r.body);
	return body;
}

static void post_cert(const char *body, struct reply *r)
{
	call(S.port, true, CLIENT_KIOSK, "POST", "/v1/certificates", body, r);
}

static bool shc_verifies(const cJSON *answer)
{
	char key[4200], jwks[4200];
	cJSON *claims;

	snprintf(key, sizeof(key), "%s/shc-issuer.key.pem", pki);
	snprintf(jwks, sizeof(jwks), "%s/shc-jwks.json", pki);
	claims = refc_shc_open(cJSON_GetStringValue(cJSON_GetObjectItem(answer, "shc")), key,
			       refc_jwks_kid(jwks));
	cJSON_Delete(claims);
	return claims != NULL;
}

static void municipalities(void **state)
{
	struct reply r;
	cJSON *o;

	(void)state;
	call(S.port, true, CLIENT_KIOSK, "GET", "/v1/municipalities", NULL, &r);
	o = expect_json(&r, 200, NULL);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "municipalities")), 2);
	cJSON_Delete(o);
	free(r.body);
}

static void client_certificate_required(void **state)
{
	struct reply r;

	(void)state;
	call(S.port, true, CLIENT_NONE, "GET", "/v1/municipalities", NULL, &r);
	cJSON_Delete(expect_json(&r, 403, "unauthorized"));
	free(r.body);
	/* a client certificate from a CA the center does not trust */
	call(S.port, true, CLIENT_ROGUE, "GET", "/v1/municipalities", NULL, &r);
	assert_true(r.curl_exit != 0 || r.http == 403);
	assert_null(strstr(r.body, "Chiyoda"));
	free(r.body);
}

static void protocol_header_required(void **state)
{
	struct reply r;
	char url[128], cacert[4200], cert[4200], key[4200], cmd[20000];
	FILE *p;

	(void)state;
	snprintf(url, sizeof(url), "https://localhost:%u/v1/municipalities", S.port);
	snprintf(cacert, sizeof(cacert), "%s/center-ca.crt.pem", pki);
	snprintf(cert, sizeof(cert), "%s/kiosk.crt.pem", pki);
	snprintf(key, sizeof(key), "%s/kiosk.key.pem", pki);
	snprintf(cmd, sizeof(cmd),
		 "curl -sS -o /dev/null -w '%%{http_code}' "
		 "--cacert '%s' --cert '%s' --key '%s' '%s'",
		 cacert, cert, key, url);
	p = popen(cmd, "r");
	assert_non_null(p);
	memset(&r, 0, sizeof(r));
	assert_int_equal(fscanf(p, "%d", &r.http), 1);
	pclose(p);
	assert_int_equal(r.http, 400);
}

static void domestic_certificate_and_replay(void **state)
{
	struct reply r, again;
	char *body, *body2;
	cJSON *o;

	(void)state;
	body = cert_body("standard", "00000000000000000000000000000001", "131016", "domestic");
	post_cert(body, &r);
	o = expect_json(&r, 200, NULL);
	assert_true(shc_verifies(o));
	cJSON_Delete(o);
	/* the same request id again: the identical answer */
	post_cert(body, &again);
	assert_int_equal(again.http, 200);
	assert_string_equal(again.body, r.body);
	free(again.body);
	/* the same challenge under a new request id: spent */
	body2 = strdup(body);
	memcpy(strstr(body2, "00000000000000000000000000000001"),
	       "00000000000000000000000000000002", 32);
	post_cert(body2, &again);
	cJSON_Delete(expect_json(&again, 409, "challenge_expired"));
	free(again.body);
	free(r.body);
	free(body);
	free(body2);
}

static void overseas_certificate(void **state)
{
	struct reply r;
	char *body;
	cJSON *o;

	(void)state;
	body = cert_body("foreign", "00000000000000000000000000000003", "271004", "overseas");
	post_cert(body, &r);
	o = expect_json(&r, 200, NULL);
	assert_true(shc_verifies(o));
	assert_true(refc_vdsnc_verify(cJSON_GetObjectItem(o, "vdsnc")));
	cJSON_Delete(o);
	free(r.body);
	free(body);
}

static void typed_errors(void **state)
{
	struct reply r;
	char *body;

	(void)state;
	body = cert_body("standard", "00000000000000000000000000000004", "011002", "domestic");
	post_cert(body, &r);
	cJSON_Delete(expect_json(&r, 403, "not_participating"));
	free(r.body);
	free(body);
	body = cert_body("one_try", "00000000000000000000000000000005", "131016", "domestic");
	post_cert(body, &r);
	cJSON_Delete(expect_json(&r, 404, "no_records"));
	free(r.body);
	free(body);
	post_cert("{\"request_id\":", &r);
	cJSON_Delete(expect_json(&r, 400, "bad_request"));
	free(r.body);
}

static void jwks_published(void **state)
{
	struct reply r;
	char jwks[4200];
	cJSON *o;

	(void)state;
	snprintf(jwks, sizeof(jwks), "%s/shc-jwks.json", pki);
	call(S.port, true, CLIENT_NONE, "GET", "/issuer/.well-known/jwks.json", NULL, &r);
	o = expect_json(&r, 200, NULL);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
				    cJSON_GetArrayItem(cJSON_GetObjectItem(o, "keys"), 0), "kid")),
			    refc_jwks_kid(jwks));
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(o, "keys"), 0),
					"d"));
	cJSON_Delete(o);
	free(r.body);
}

static void fault_http_errors(void **state)
{
	struct reply r;
	char *body;

	(void)state;
	body = cert_body("standard", "00000000000000000000000000000010", "131016", "domestic");
	admin_set("http_500", "1");
	post_cert(body, &r);
	cJSON_Delete(expect_json(&r, 500, "internal"));
	free(r.body);
	admin_set("http_503", "1");
	post_cert(body, &r);
	cJSON_Delete(expect_json(&r, 503, "busy"));
	free(r.body);
	/* the faults were one-shot and nothing was spent: the retry is issued */
	post_cert(body, &r);
	cJSON_Delete(expect_json(&r, 200, NULL));
	free(r.body);
	free(body);
}

static void fault_body_shapes(void **state)
{
	struct reply r;
	char *body;

	(void)state;
	admin_set("malformed_json", "1");
	body = cert_body("standard", "00000000000000000000000000000011", "131016", "domestic");
	post_cert(body, &r);
	assert_int_equal(r.http, 200);
	assert_null(cJSON_Parse(r.body));
	free(r.body);
	free(body);

	admin_set("oversized_body", "1");
	body = cert_body("standard", "00000000000000000000000000000012", "131016", "domestic");
	post_cert(body, &r);
	assert_int_equal(r.http, 200);
	assert_true(r.len > 1024 * 1024);
	free(r.body);
	free(body);
}

static void fault_drop_then_retry(void **state)
{
	struct reply r, again;
	char *body;
	cJSON *o;

	(void)state;
	admin_set("drop", "1");
	body = cert_body("standard", "00000000000000000000000000000013", "131016", "domestic");
	post_cert(body, &r);
	assert_int_not_equal(r.curl_exit, 0); /* connection closed mid-body */
	/* the kiosk's one retry with the same request id gets the certificate */
	post_cert(body, &again);
	o = expect_json(&again, 200, NULL);
	assert_true(shc_verifies(o));
	assert_true(r.len < again.len);
	assert_memory_equal(r.body, again.body, r.len > 20 ? 20 : r.len);
	cJSON_Delete(o);
	free(r.body);
	free(again.body);
	free(body);
}

static void fault_delay(void **state)
{
	struct reply r;

	(void)state;
	admin_set("delay_ms", "400");
	call(S.port, true, CLIENT_KIOSK, "GET", "/v1/municipalities", NULL, &r);
	admin_set("delay_ms", "0");
	assert_int_equal(r.http, 200);
	assert_true(r.secs >= 0.4);
	free(r.body);
}

static void fault_rogue_kid_other_person(void **state)
{
	struct reply r;
	char *body;
	cJSON *o;

	(void)state;
	admin_set("rogue_kid", "1");
	body = cert_body("standard", "00000000000000000000000000000014", "131016", "domestic");
	post_cert(body, &r);
	o = expect_json(&r, 200, NULL);
	assert_false(shc_verifies(o));
	cJSON_Delete(o);
	free(r.body);
	free(body);

	admin_set("other_person", "1");
	body = cert_body("standard", "00000000000000000000000000000015", "131016", "domestic");
	post_cert(body, &r);
	o = expect_json(&r, 200, NULL);
	assert_true(shc_verifies(o)); /* properly signed, for somebody else */
	cJSON_Delete(o);
	free(r.body);
	free(body);
}

static void fault_from_command_line(void **state)
{
	static const char *const extra[] = {"--fault", "http_503=on", NULL};
	struct srv s2;
	struct srv keep = S;
	struct reply r;

	(void)state;
	srv_start(&s2, extra);
	S = s2;
	call(S.port, true, CLIENT_KIOSK, "POST", "/v1/certificates", "{}", &r);
	cJSON_Delete(expect_json(&r, 503, "busy"));
	free(r.body);
	S = keep;
	assert_int_equal(srv_stop(&s2), 0);
}

static void server_cert_faults(void **state)
{
	static const char *const expired[] = {"--server-cert", "expired", NULL};
	static const char *const wronghost[] = {"--server-cert", "wronghost", NULL};
	struct srv s2;
	struct reply r;

	(void)state;
	srv_start(&s2, expired);
	call(s2.port, true, CLIENT_KIOSK, "GET", "/v1/municipalities", NULL, &r);
	assert_int_equal(r.curl_exit, 60); /* peer certificate cannot be authenticated */
	assert_int_equal(r.http, 0);
	free(r.body);
	assert_int_equal(srv_stop(&s2), 0);

	srv_start(&s2, wronghost);
	call(s2.port, true, CLIENT_KIOSK, "GET", "/v1/municipalities", NULL, &r);
	assert_int_not_equal(r.curl_exit, 0);
	assert_int_equal(r.http, 0);
	free(r.body);
	assert_int_equal(srv_stop(&s2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(municipalities),
		cmocka_unit_test(client_certificate_required),
		cmocka_unit_test(protocol_header_required),
		cmocka_unit_test(domestic_certificate_and_replay),
		cmocka_unit_test(overseas_certificate),
		cmocka_unit_test(typed_errors),
		cmocka_unit_test(jwks_published),
		cmocka_unit_test(fault_http_errors),
		cmocka_unit_test(fault_body_shapes),
		cmocka_unit_test(fault_drop_then_retry),
		cmocka_unit_test(fault_delay),
		cmocka_unit_test(fault_rogue_kid_other_person),
		cmocka_unit_test(fault_from_command_line),
		cmocka_unit_test(server_cert_faults),
		cmocka_unit_test(log_has_no_personal_data),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
