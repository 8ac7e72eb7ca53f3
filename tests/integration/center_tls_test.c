/* SPDX-License-Identifier: MIT */
/*
 * The center client against REAL TLS servers on loopback: `openssl s_server`
 * (a different TLS stack) with the test center PKI. s_server echoes what it
 * receives to its stdout (our log) and sends what we write to its stdin (the
 * scripted HTTP answer), so a test sees exactly which request bytes reached
 * the server, and none when verification failed.
 *
 * Usage: center_tls_test [test-name-pattern]
 */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kiosk/center.h"
#include "kiosk/err.h"

struct srv {
	pid_t pid;
	int in_fd;          /* write end of s_server's stdin */
	unsigned port;
	char dir[64];
	char log[128];
};

/* Servers still running; a failed assertion longjmps past srv_stop(), so the
 * per-test teardown kills whatever is left, by PID. */
static pid_t live[8];

static void live_add(pid_t pid)
{
	for (size_t i = 0; i < 8; i++) {
		if (live[i] == 0) {
			live[i] = pid;
			return;
		}
	}
}

static void live_del(pid_t pid)
{
	for (size_t i = 0; i < 8; i++) {
		if (live[i] == pid) {
			live[i] = 0;
		}
	}
}

static int kill_leftovers(void **state)
{
	(void)state;
	for (size_t i = 0; i < 8; i++) {
		if (live[i] > 0) {
			kill(live[i], SIGKILL);
			waitpid(live[i], NULL, 0);
			live[i] = 0;
		}
	}
	return 0;
}

static char pki_buf[16][512];
static int pki_slot;

static const char *pki(const char *name)
{
	const char *dir = getenv("KIOSK_CENTER_PKI");
	char *p = pki_buf[pki_slot++ % 16];

	assert_non_null(dir);
	snprintf(p, sizeof(pki_buf[0]), "%s/%s", dir, name);
	return p;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void nap_ms(unsigned ms)
{
	struct timespec ts = { 0, (long)ms * 1000000L };

	nanosleep(&ts, NULL);
}

static unsigned pick_port(void)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

/* True when /proc/net/tcp shows a LISTEN socket on 127.0.0.1:@port. Checking
 * the table instead of connecting leaves s_server's accept loop untouched. */
static bool listening(unsigned port)
{
	FILE *f = fopen("/proc/net/tcp", "re");
	char line[512];
	char want[32];
	bool found = false;

	if (f == NULL) {
		return false;
	}
	snprintf(want, sizeof(want), "0100007F:%04X", port);
	while (fgets(line, sizeof(line), f) != NULL) {
		char local[64];
		char remote[64];
		unsigned st;

		if (sscanf(line, "%*d: %63s %63s %x", local, remote, &st) == 3 &&
		    strcmp(local, want) == 0 && st == 0x0A) {
			found = true;
			break;
		}
	}
	fclose(f);
	return found;
}

static char *read_log(const struct srv *s, size_t *len)
{
	FILE *f = fopen(s->log, "re");
	char *buf = NULL;
	size_t n = 0;

	if (f != NULL) {
		buf = malloc(1 << 20);
		assert_non_null(buf);
		n = fread(buf, 1, (1 << 20) - 1, f);
		fclose(f);
		buf[n] = '\0';
	}
	*len = n;
	return buf;
}

static size_t log_count(const struct srv *s, const char *needle)
{
	size_t len;
	char *buf = read_log(s, &len);
	size_t count = 0;

	if (buf == NULL) {
		return 0;
	}
	/* the log may hold NULs from binary records; search piecewise */
	for (size_t off = 0; off < len;) {
		char *hit = strstr(buf + off, needle);

		if (hit == NULL) {
			off += strlen(buf + off) + 1;
			continue;
		}
		count++;
		off = (size_t)(hit - buf) + strlen(needle);
	}
	free(buf);
	return count;
}

static bool wait_count_or_stop(const struct srv *s, const char *needle, size_t n, unsigned ms,
			       const atomic_bool *stop)
{
	long long end = now_ms() + ms;

	while (now_ms() < end && (stop == NULL || !atomic_load(stop))) {
		if (log_count(s, needle) >= n) {
			return true;
		}
		nap_ms(10);
	}
	return false;
}

static bool wait_count(const struct srv *s, const char *needle, size_t n, unsigned ms)
{
	return wait_count_or_stop(s, needle, n, ms, NULL);
}

/* Start s_server with @cert (key center.key.pem); @client_ca non-NULL requires
 * a client certificate from that CA; @extra: up to 4 more arguments, NULL-ended. */
static void srv_start_ex(struct srv *s, const char *cert, const char *client_ca,
			 const char *const *extra)
{
	for (int attempt = 0; attempt < 5; attempt++) {
		int fds[2];
		long long end;
		char accept[32];
		const char *key = pki("center.key.pem");

		memset(s, 0, sizeof(*s));
		snprintf(s->dir, sizeof(s->dir), "/tmp/center-tls-XXXXXX");
		assert_non_null(mkdtemp(s->dir));
		snprintf(s->log, sizeof(s->log), "%s/server.log", s->dir);
		s->port = pick_port();
		snprintf(accept, sizeof(accept), "127.0.0.1:%u", s->port);
		assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
		s->pid = fork();
		assert_true(s->pid >= 0);
		if (s->pid == 0) {
			int lfd = open(s->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

			/* never outlive the test, even when it aborts */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (lfd < 0 || dup2(fds[0], 0) < 0 || dup2(lfd, 1) < 0 ||
			    dup2(lfd, 2) < 0) {
				_exit(126);
			}
			{
				const char *argv[24];
				size_t k = 0;

				argv[k++] = "openssl";
				argv[k++] = "s_server";
				argv[k++] = "-quiet";
				argv[k++] = "-accept";
				argv[k++] = accept;
				argv[k++] = "-cert";
				argv[k++] = cert;
				argv[k++] = "-key";
				argv[k++] = key;
				if (client_ca != NULL) {
					argv[k++] = "-Verify";
					argv[k++] = "1";
					argv[k++] = "-CAfile";
					argv[k++] = client_ca;
					argv[k++] = "-verify_return_error";
				}
				for (size_t e = 0; extra != NULL && e < 4 && extra[e] != NULL;
				     e++) {
					argv[k++] = extra[e];
				}
				argv[k] = NULL;
				execvp("openssl", (char *const *)argv);
			}
			_exit(127);
		}
		close(fds[0]);
		live_add(s->pid);
		s->in_fd = fds[1];
		end = now_ms() + 10000;
		while (now_ms() < end) {
			int st;

			if (listening(s->port)) {
				return;
			}
			if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
				live_del(s->pid);
				s->pid = 0; /* port taken meanwhile: try another */
				break;
			}
			nap_ms(10);
		}
		if (s->pid > 0) {
			kill(s->pid, SIGKILL);
			waitpid(s->pid, NULL, 0);
			live_del(s->pid);
		}
		close(s->in_fd);
		unlink(s->log);
		rmdir(s->dir);
	}
	fail_msg("openssl s_server did not start");
}

static void srv_start(struct srv *s, const char *cert, const char *client_ca)
{
	srv_start_ex(s, cert, client_ca, NULL);
}

static void srv_stop(struct srv *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
		live_del(s->pid);
		s->pid = 0;
	}
	if (s->in_fd > 0) {
		close(s->in_fd);
		s->in_fd = -1;
	}
	unlink(s->log);
	rmdir(s->dir);
}

static void srv_answer(struct srv *s, const char *resp)
{
	size_t n = strlen(resp);

	assert_int_equal(write(s->in_fd, resp, n), (ssize_t)n);
}

static char url_buf[128];

static const char *url_of(const struct srv *s, const char *host)
{
	snprintf(url_buf, sizeof(url_buf), "https://%s:%u", host, s->port);
	return url_buf;
}

static void client_up(struct center_client *c, const char *url, unsigned timeout_ms)
{
	struct center_settings st;

	memset(&st, 0, sizeof(st));
	st.url = url;
	st.ca_file = pki("center-ca.crt.pem");
	st.client_cert = pki("kiosk.crt.pem");
	st.client_key = pki("kiosk.key.pem");
	st.kiosk_id = "KIOSK-SIM-0001";
	st.connect_timeout_ms = timeout_ms;
	st.handshake_timeout_ms = timeout_ms;
	st.read_timeout_ms = timeout_ms;
	st.retries = 1;
	center_client_init(c);
	assert_int_equal(center_client_setup(c, &st), KIOSK_OK);
	c->retry_delay_ms = 50;
}

static const char MUNI_JSON[] =
	"{\"version\":1,\"municipalities\":["
	"{\"code\":\"131016\",\"name_ja\":\"\xe5\x8d\x83\xe4\xbb\xa3\xe7\x94\xb0\xe5\x8c\xba\","
	"\"name_en\":\"Chiyoda City\",\"overseas\":true},"
	"{\"code\":\"271004\",\"name_ja\":\"\xe5\xa4\xa7\xe9\x98\xaa\xe5\xb8\x82\","
	"\"name_en\":\"Osaka City\",\"overseas\":false}]}";

static void answer_json(struct srv *s, unsigned status, const char *json)
{
	char head[256];

	snprintf(head, sizeof(head),
		 "HTTP/1.1 %u X\r\nContent-Type: application/json; charset=utf-8\r\n"
		 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
		 status, strlen(json));
	srv_answer(s, head);
	srv_answer(s, json);
}

/*
 * Answer only once s_server has logged @count copies of @needle (the request of
 * a new connection). s_server relays its stdin to whichever connection is open:
 * an answer queued while it is still closing the previous one would go there
 * and be lost, so later exchanges wait for their own request first.
 */
struct late_answer {
	struct srv *s;
	const char *needle;
	size_t count;
	char resp[512];
	pthread_t th;
};

static void *late_answer_run(void *arg)
{
	struct late_answer *a = arg;

	if (wait_count(a->s, a->needle, a->count, 10000)) {
		size_t n = strlen(a->resp);

		if (write(a->s->in_fd, a->resp, n) != (ssize_t)n) {
			return NULL; /* the client then times out, and the test says so */
		}
	}
	return NULL;
}

static void answer_after(struct late_answer *a, struct srv *s, const char *needle, size_t count,
			 const char *resp)
{
	a->s = s;
	a->needle = needle;
	a->count = count;
	assert_true(strlen(resp) < sizeof(a->resp));
	snprintf(a->resp, sizeof(a->resp), "%s", resp);
	assert_int_equal(pthread_create(&a->th, NULL, late_answer_run, a), 0);
}

static void answer_json_after(struct late_answer *a, struct srv *s, const char *needle,
			      size_t count, const char *json)
{
	char resp[512];

	snprintf(resp, sizeof(resp),
		 "HTTP/1.1 200 X\r\nContent-Type: application/json; charset=utf-8\r\n"
		 "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
		 strlen(json), json);
	answer_after(a, s, needle, count, resp);
}

/* ---- good server: HTTP framing, resumption -------------------------------- */

static void test_good_server_and_resumption(void **state)
{
	struct srv s;
	struct center_client c;
	struct center_municipality m[8];
	struct center_challenge ch;
	struct late_answer late;
	size_t n = 0;

	(void)state;
	srv_start(&s, pki("center.crt.pem"), pki("kiosk-ca.crt.pem"));
	client_up(&c, url_of(&s, "localhost"), 5000);

	answer_json(&s, 200, MUNI_JSON);
	assert_int_equal(center_get_municipalities(&c, m, 8, &n), KIOSK_OK);
	assert_int_equal(n, 2);
	assert_string_equal(m[0].code, "131016");
	assert_string_equal(m[1].name_en, "Osaka City");
	assert_false(c.last_resumed);
	assert_int_equal(c.handshakes_full, 1);
	assert_true(wait_count(&s, "GET /v1/municipalities HTTP/1.1\r\n", 1, 2000));
	assert_int_equal(log_count(&s, "Kiosk-Protocol: 1\r\n"), 1);

	/* second connection: chunked answer, session resumed */
	answer_after(&late, &s, "POST /v1/challenges HTTP/1.1\r\n", 1,
		     "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
		     "Transfer-Encoding: chunked\r\n\r\n"
		     "e;ext=1\r\n{\"challenge\":\"\r\n"
		     "2b\r\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\r\n"
		     "12\r\n\",\"expires_in\":60}\r\n0\r\nX-T: 1\r\n\r\n");
	assert_int_equal(center_post_challenge(&c, &ch), KIOSK_OK);
	pthread_join(late.th, NULL);
	assert_int_equal(ch.expires_in, 60);
	assert_int_equal(ch.bytes[31], 31);
	assert_true(c.last_resumed);
	assert_int_equal(c.handshakes_resumed, 1);
	assert_true(wait_count(&s, "{\"kiosk_id\":\"KIOSK-SIM-0001\"}", 1, 2000));

	/* a forgotten session means a full handshake again */
	center_forget_session(&c);
	answer_json_after(&late, &s, "GET /v1/municipalities HTTP/1.1\r\n", 2, MUNI_JSON);
	assert_int_equal(center_get_municipalities(&c, m, 8, &n), KIOSK_OK);
	pthread_join(late.th, NULL);
	assert_false(c.last_resumed);
	assert_int_equal(c.handshakes_full, 2);

	center_client_free(&c);
	srv_stop(&s);
}

static void test_ip_literal_uses_ip_san(void **state)
{
	struct srv s;
	struct center_client c;

	(void)state;
	srv_start(&s, pki("center.crt.pem"), pki("kiosk-ca.crt.pem"));
	client_up(&c, url_of(&s, "127.0.0.1"), 5000);
	assert_int_equal(center_connect(&c), KIOSK_OK);
	center_disconnect(&c);
	center_client_free(&c);
	srv_stop(&s);

	/* the wrong-host certificate has no 127.0.0.1 SAN */
	srv_start(&s, pki("center-wronghost.crt.pem"), pki("kiosk-ca.crt.pem"));
	client_up(&c, url_of(&s, "127.0.0.1"), 5000);
	assert_int_equal(center_connect(&c), KIOSK_ERR_TLS_WRONG_HOST);
	center_client_free(&c);
	srv_stop(&s);
}

/* ---- version and suites ---------------------------------------------------- */

static void test_version_and_suites(void **state)
{
	static const char *const cbc_only[] = { "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA256",
						NULL };
	static const char *const tls13_only[] = { "-tls1_3", NULL };
	struct srv s;
	struct center_client c;
	const char *suite;

	(void)state;
	srv_start(&s, pki("center.crt.pem"), pki("kiosk-ca.crt.pem"));
	client_up(&c, url_of(&s, "localhost"), 5000);
	assert_int_equal(center_connect(&c), KIOSK_OK);
	assert_string_equal(mbedtls_ssl_get_version(&c.ssl), "TLSv1.2");
	suite = mbedtls_ssl_get_ciphersuite(&c.ssl);
	assert_non_null(strstr(suite, "ECDHE-"));
	assert_true(strstr(suite, "-GCM-") != NULL || strstr(suite, "CHACHA20-POLY1305") != NULL);
	center_client_free(&c);
	srv_stop(&s);

	/* a server that only speaks a CBC suite: no common suite, nothing sent */
	srv_start_ex(&s, pki("center.crt.pem"), pki("kiosk-ca.crt.pem"), cbc_only);
	client_up(&c, url_of(&s, "localhost"), 5000);
	assert_int_equal(center_connect(&c), KIOSK_ERR_TLS_HANDSHAKE);
	assert_int_equal(c.bytes_sent, 0);
	center_client_free(&c);
	srv_stop(&s);

	/* mbedTLS 2.28 has no TLS 1.3: a 1.3-only server is a clean handshake failure */
	srv_start_ex(&s, pki("center.crt.pem"), pki("kiosk-ca.crt.pem"), tls13_only);
	client_up(&c, url_of(&s, "localhost"), 5000);
	assert_int_equal(center_connect(&c), KIOSK_ERR_TLS_HANDSHAKE);
	center_client_free(&c);
	srv_stop(&s);
}

/* ---- refusals: the right error, no request byte sent ----------------------- */

static void refused(const char *cert, const char *client_ca, const char *client_cert,
		    const char *client_key, int want)
{
	struct srv s;
	struct center_client c;
	struct center_municipality m[2];
	size_t n = 5;

	srv_start(&s, pki(cert), pki(client_ca));
	client_up(&c, url_of(&s, "localhost"), 5000);
	if (client_cert != NULL) {
		/* swap in another client identity */
		struct center_settings st;

		center_client_free(&c);
		memset(&st, 0, sizeof(st));
		st.url = url_of(&s, "localhost");
		st.ca_file = pki("center-ca.crt.pem");
		st.client_cert = pki(client_cert);
		st.client_key = pki(client_key);
		st.kiosk_id = "KIOSK-ROGUE";
		st.connect_timeout_ms = st.handshake_timeout_ms = st.read_timeout_ms = 5000;
		center_client_init(&c);
		assert_int_equal(center_client_setup(&c, &st), KIOSK_OK);
	}
	/* the server would answer if asked: prove we never asked */
	answer_json(&s, 200, MUNI_JSON);
	assert_int_equal(center_get_municipalities(&c, m, 2, &n), want);
	assert_int_equal(n, 0);
	assert_int_equal(c.bytes_sent, 0);
	assert_false(c.have_session);
	/* s_server saw the handshake attempt fail, and no HTTP at all */
	assert_true(wait_count(&s, "SSL routines", 1, 2000));
	assert_int_equal(log_count(&s, "GET "), 0);
	assert_int_equal(log_count(&s, "Kiosk-Protocol"), 0);
	assert_int_equal(log_count(&s, "HTTP/1.1\r\n"), 0);
	center_client_free(&c);
	srv_stop(&s);
}

static void test_untrusted_ca(void **state)
{
	(void)state;
	refused("center-rogue.crt.pem", "kiosk-ca.crt.pem", NULL, NULL, KIOSK_ERR_TLS_UNTRUSTED);
}

static void test_expired(void **state)
{
	(void)state;
	refused("center-expired.crt.pem", "kiosk-ca.crt.pem", NULL, NULL, KIOSK_ERR_TLS_EXPIRED);
}

static void test_wrong_host(void **state)
{
	(void)state;
	refused("center-wronghost.crt.pem", "kiosk-ca.crt.pem", NULL, NULL,
		KIOSK_ERR_TLS_WRONG_HOST);
}

static void test_client_cert_from_other_ca_refused(void **state)
{
	(void)state;
	/* the server only accepts kiosks of the rogue CA */
	refused("center.crt.pem", "rogue-ca.crt.pem", NULL, NULL,
		KIOSK_ERR_TLS_CLIENT_CERT_REFUSED);
	/* the kiosk presents a certificate the center's kiosk CA did not issue */
	refused("center.crt.pem", "kiosk-ca.crt.pem", "kiosk-rogue.crt.pem", "kiosk-rogue.key.pem",
		KIOSK_ERR_TLS_CLIENT_CERT_REFUSED);
}

/* ---- timeouts -------------------------------------------------------------- */

static void test_handshake_timeout(void **state)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	struct center_client c;
	char url[64];
	long long t0;
	long long dt;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	(void)state;
	/* accepts TCP (the kernel's backlog) but never answers the ClientHello */
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	snprintf(url, sizeof(url), "https://localhost:%u", ntohs(sa.sin_port));
	client_up(&c, url, 700);
	t0 = now_ms();
	assert_int_equal(center_connect(&c), KIOSK_ERR_TLS_HANDSHAKE_TIMEOUT);
	dt = now_ms() - t0;
	assert_true(dt >= 650);
	assert_true(dt < 2500);
	assert_int_equal(c.bytes_sent, 0);
	center_client_free(&c);
	close(fd);
}

static void test_connect_timeout(void **state)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	struct center_client c;
	char url[64];
	int fill[4];
	long long t0;
	long long dt;
	int rc;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	(void)state;
	/* A listener whose accept queue is full drops further SYNs, so a new
	 * connect neither succeeds nor fails: only the connect timeout ends it. */
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 0), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	for (int i = 0; i < 4; i++) {
		fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		(void)connect(fill[i], (struct sockaddr *)&sa, sizeof(sa));
	}
	nap_ms(50); /* let the handshakes that fit complete */
	snprintf(url, sizeof(url), "https://127.0.0.1:%u", ntohs(sa.sin_port));
	client_up(&c, url, 600);
	t0 = now_ms();
	rc = center_connect(&c);
	dt = now_ms() - t0;
	print_message("connect to a full backlog: %s after %lld ms\n", kiosk_err_name(rc), dt);
	if (rc == KIOSK_ERR_TLS_HANDSHAKE_TIMEOUT) {
		/* this kernel completed the connection anyway; the deadline still held */
		assert_true(dt < 2000);
	} else {
		assert_int_equal(rc, KIOSK_ERR_CONNECT_TIMEOUT);
		assert_true(dt >= 550 && dt < 2000);
	}
	assert_int_equal(c.bytes_sent, 0);
	center_client_free(&c);
	for (int i = 0; i < 4; i++) {
		close(fill[i]);
	}
	close(fd);
}

static void test_read_timeout_after_request(void **state)
{
	struct srv s;
	struct center_client c;
	struct center_municipality m[2];
	size_t n;
	long long t0;

	(void)state;
	srv_start(&s, pki("center.crt.pem"), pki("kiosk-ca.crt.pem"));
	client_up(&c, url_of(&s, "localhost"), 700);
	t0 = now_ms();
	assert_int_equal(center_get_municipalities(&c, m, 2, &n), KIOSK_ERR_READ_TIMEOUT);
	assert_true(now_ms() - t0 < 3000);
	/* positive control of the refusal tests: a verified connection's request is seen */
	assert_true(wait_count(&s, "GET /v1/municipalities HTTP/1.1\r\n", 1, 2000));
	assert_true(c.bytes_sent > 0);
	center_client_free(&c);
	srv_stop(&s);
}

/* ---- oversized and dropped answers ----------------------------------------- */

static void test_oversized_answer(void **state)
{
	struct srv s;
	struct center_client c;
	struct center_municipality m[2];
	size_t n;

	(void)state;
	srv_start(&s, pki("center.crt.pem"), pki("kiosk-ca.crt.pem"));
	client_up(&c, url_of(&s, "localhost"), 5000);
	srv_answer(&s, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
		       "Content-Length: 300000\r\n\r\n{\"version\":1,");
	assert_int_equal(center_get_municipalities(&c, m, 2, &n), KIOSK_ERR_HTTP_BODY_TOO_LARGE);
	center_client_free(&c);
	srv_stop(&s);
}

static void *killer(void *arg)
{
	struct srv *s = arg;

	/* once the request is in, the server dies mid-body */
	if (wait_count(s, "GET /v1/municipalities HTTP/1.1\r\n", 1, 10000)) {
		kill(s->pid, SIGKILL);
	}
	return NULL;
}

static void test_dropped_mid_body(void **state)
{
	struct srv s;
	struct center_client c;
	struct center_municipality m[2];
	pthread_t th;
	size_t n;

	(void)state;
	srv_start(&s, pki("center.crt.pem"), pki("kiosk-ca.crt.pem"));
	client_up(&c, url_of(&s, "localhost"), 5000);
	srv_answer(&s, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
		       "Content-Length: 100\r\n\r\n{\"version\":1,");
	assert_int_equal(pthread_create(&th, NULL, killer, &s), 0);
	assert_int_equal(center_get_municipalities(&c, m, 2, &n), KIOSK_ERR_CONNECTION_DROPPED);
	pthread_join(th, NULL);
	center_client_free(&c);
	srv_stop(&s);
}

/* ---- idempotent retry -------------------------------------------------- */

struct script {
	struct srv *s;
	const char *answers[3];
	size_t count;
	atomic_bool stop;
};

static void *responder(void *arg)
{
	struct script *sc = arg;

	for (size_t i = 0; i < sc->count; i++) {
		if (!wait_count_or_stop(sc->s, "POST /v1/certificates HTTP/1.1\r\n", i + 1, 10000,
					&sc->stop)) {
			break;
		}
		if (sc->answers[i] != NULL) {
			srv_answer(sc->s, sc->answers[i]);
		}
	}
	return NULL;
}

static const uint8_t ef_bytes[64] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };

static void fill_request(struct center_client *c, struct center_cert_request *r)
{
	memset(r, 0, sizeof(*r));
	assert_int_equal(center_new_request_id(c, r->request_id), KIOSK_OK);
	r->municipality = "131016";
	r->type = CENTER_CERT_DOMESTIC;
	r->challenge = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
	r->ef0001 = ef_bytes; r->ef0001_len = 17;
	r->ef0002 = ef_bytes; r->ef0002_len = 20;
	r->ef0003 = ef_bytes; r->ef0003_len = 30;
	r->ef0004 = ef_bytes; r->ef0004_len = 64;
	r->ef0007 = ef_bytes; r->ef0007_len = 40;
	r->signature = ef_bytes; r->signature_len = 64;
}

static char busy_answer[512];
static char issued_answer[1024];

static void make_answers(void)
{
	static const char busy[] = "{\"status\":\"error\",\"error\":\"busy\",\"message_ja\":\"a\","
				   "\"message_en\":\"b\"}";
	static const char issued[] = "{\"status\":\"issued\","
		"\"certificate_id\":\"JP-131016-000123\","
				     "\"issued_at\":\"2026-11-25T10:00:00Z\","
					"\"municipality\":\"131016\","
				     "\"type\":\"domestic\","
					"\"shc\":\"eyJhbGciOiJFUzI1NiJ9.cGF5.c2ln\"}";

	snprintf(busy_answer, sizeof(busy_answer),
		 "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
		 "Content-Length: %zu\r\n\r\n%s",
		 strlen(busy), busy);
	snprintf(issued_answer, sizeof(issued_answer),
		 "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
			"\r\n%s",
		 strlen(issued), issued);
}

static unsigned retries_seen;
static int last_retry_err;

static void count_retry(void *arg, unsigned attempt, int err)
{
	(void)arg;
	retries_seen = attempt;
	last_retry_err = err;
}

static void run_certificate(const char *a0, const char *a1, const char *a2, unsigned timeout_ms,
			    int want, size_t want_requests)
{
	struct srv s;
	struct center_client c;
	struct center_cert_request r;
	struct center_certificate cert;
	struct kiosk_vault v;
	struct script sc;
	pthread_t th;
	char needle[64];

	make_answers();
	kiosk_vault_init(&v);
	assert_int_equal(kiosk_vault_setup(&v, CENTER_CERT_VAULT_NEED), KIOSK_OK);
	srv_start(&s, pki("center.crt.pem"), pki("kiosk-ca.crt.pem"));
	client_up(&c, url_of(&s, "localhost"), timeout_ms);
	fill_request(&c, &r);
	retries_seen = 0;
	last_retry_err = 0;
	c.on_retry = count_retry;
	sc.s = &s;
	sc.answers[0] = a0;
	sc.answers[1] = a1;
	sc.answers[2] = a2;
	sc.count = 3;
	atomic_init(&sc.stop, false);
	assert_int_equal(pthread_create(&th, NULL, responder, &sc), 0);
	assert_int_equal(center_request_certificate(&c, &r, &v, &cert), want);
	if (want == 0) {
		assert_string_equal(cert.certificate_id, "JP-131016-000123");
		assert_string_equal(cert.shc, "eyJhbGciOiJFUzI1NiJ9.cGF5.c2ln");
		assert_true(kiosk_vault_owns(&v, cert.shc, cert.shc_len));
	}
	/* stop the responder, then count what reached the server */
	atomic_store(&sc.stop, true);
	pthread_join(th, NULL);
	assert_int_equal(log_count(&s, "POST /v1/certificates HTTP/1.1\r\n"), want_requests);
	/* the UI was told about every retry, and only those */
	assert_int_equal(retries_seen, want_requests - 1);
	snprintf(needle, sizeof(needle), "\"request_id\":\"%s\"", r.request_id);
	/* every attempt carried the same request_id */
	assert_int_equal(log_count(&s, needle), want_requests);
	kiosk_vault_wipe(&v);
	assert_true(kiosk_vault_is_wiped(&v));
	kiosk_vault_free(&v);
	center_client_free(&c);
	srv_stop(&s);
}

static void test_busy_then_issued_same_request_id(void **state)
{
	(void)state;
	make_answers();
	run_certificate(busy_answer, issued_answer, NULL, 5000, KIOSK_OK, 2);
	assert_int_equal(last_retry_err, KIOSK_ERR_CENTER_BUSY);
}

static void test_busy_twice_gives_up_after_one_retry(void **state)
{
	(void)state;
	make_answers();
	run_certificate(busy_answer, busy_answer, busy_answer, 5000, KIOSK_ERR_CENTER_BUSY, 2);
}

static void test_timeout_then_issued_same_request_id(void **state)
{
	(void)state;
	make_answers();
	/* no answer to the first attempt: read timeout, one retry */
	run_certificate(NULL, issued_answer, NULL, 800, KIOSK_OK, 2);
	assert_int_equal(last_retry_err, KIOSK_ERR_READ_TIMEOUT);
}

static void test_answer_for_other_municipality_refused(void **state)
{
	static const char other[] = "{\"status\":\"issued\","
				    "\"certificate_id\":\"JP-271004-000001\","
				    "\"issued_at\":\"2026-11-25T10:00:00Z\","
				    "\"municipality\":\"271004\","
				    "\"type\":\"domestic\",\"shc\":\"a.b.c\"}";
	static char answer[512];

	(void)state;
	snprintf(answer, sizeof(answer),
		 "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
		 "\r\n%s",
		 strlen(other), other);
	/* a protocol error is not retried */
	run_certificate(answer, answer, NULL, 5000, KIOSK_ERR_CENTER_PROTOCOL, 1);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_good_server_and_resumption, kill_leftovers),
		cmocka_unit_test_teardown(test_ip_literal_uses_ip_san, kill_leftovers),
		cmocka_unit_test_teardown(test_version_and_suites, kill_leftovers),
		cmocka_unit_test_teardown(test_untrusted_ca, kill_leftovers),
		cmocka_unit_test_teardown(test_expired, kill_leftovers),
		cmocka_unit_test_teardown(test_wrong_host, kill_leftovers),
		cmocka_unit_test_teardown(test_client_cert_from_other_ca_refused, kill_leftovers),
		cmocka_unit_test_teardown(test_handshake_timeout, kill_leftovers),
		cmocka_unit_test_teardown(test_connect_timeout, kill_leftovers),
		cmocka_unit_test_teardown(test_read_timeout_after_request, kill_leftovers),
		cmocka_unit_test_teardown(test_oversized_answer, kill_leftovers),
		cmocka_unit_test_teardown(test_dropped_mid_body, kill_leftovers),
		cmocka_unit_test_teardown(test_busy_then_issued_same_request_id, kill_leftovers),
		cmocka_unit_test_teardown(test_busy_twice_gives_up_after_one_retry, kill_leftovers),
		cmocka_unit_test_teardown(test_timeout_then_issued_same_request_id, kill_leftovers),
		cmocka_unit_test_teardown(test_answer_for_other_municipality_refused,
					  kill_leftovers),
	};

	/* SIGPIPE stays fatal: the client must never raise it (send with MSG_NOSIGNAL). */
	if (argc > 1) {
		cmocka_set_test_filter(argv[1]);
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
