/* SPDX-License-Identifier: MIT */
/*
 * Load: 50 concurrent kiosks (threads), each on its own keep-alive TLS
 * connection with the kiosk client certificate (GnuTLS client), each doing
 * challenge -> certificate for its own simulated card, several times. Checks
 * that every request got exactly one certificate (no loss, no duplicate ids)
 * and prints the issuance rate.
 *
 *   refcenter_load [KIOSKS [ROUNDS]]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <gnutls/gnutls.h>

#include "cardsim/cardsim.h"
#include "center.h"
#include "refcenter_card.h"

#define KIOSK "KIOSK-SIM-0001"
#define MAX_KIOSKS 200

static const char *const PERSONAS[] = {"standard", "rare_kanji", "no_ext", "foreign",
				       "no_sfi", "long"};
static const char *const MUNI[] = {"131016", "131016", "131016", "271004", "271004", "271004"};

static unsigned port;
static char pki[4096];
static gnutls_certificate_credentials_t cred;

struct kiosk {
	pthread_t th;
	int idx;
	int rounds;
	struct cardsim_card *card;
	struct refc_evidence ev;
	int ok;
	char (*ids)[32];
	double secs;
};

static int conn_open(gnutls_session_t *out, int *fd_out)
{
	struct sockaddr_in sa;
	gnutls_session_t s;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int rc;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		return -1;
	}
	gnutls_init(&s, GNUTLS_CLIENT);
	gnutls_set_default_priority(s);
	gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred);
	gnutls_server_name_set(s, GNUTLS_NAME_DNS, "localhost", 9);
	gnutls_session_set_verify_cert(s, "localhost", 0);
	gnutls_transport_set_int(s, fd);
	do {
		rc = gnutls_handshake(s);
	} while (rc < 0 && gnutls_error_is_fatal(rc) == 0);
	if (rc < 0) {
		fprintf(stderr, "handshake: %s\n", gnutls_strerror(rc));
		gnutls_deinit(s);
		close(fd);
		return -1;
	}
	*out = s;
	*fd_out = fd;
	return 0;
}

static int send_all(gnutls_session_t s, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = gnutls_record_send(s, p, n);

		if (w < 0) {
			if (w == GNUTLS_E_AGAIN || w == GNUTLS_E_INTERRUPTED) {
				continue;
			}
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* One request on the keep-alive connection; @body out is malloc'd. */
/* gnutls_record_recv, riding over non-fatal conditions (e.g. TLS 1.3 tickets). */
static ssize_t recv_some(gnutls_session_t s, char *p, size_t n)
{
	for (;;) {
		ssize_t r = gnutls_record_recv(s, p, n);

		if (r >= 0 || gnutls_error_is_fatal((int)r)) {
			if (r < 0) {
				fprintf(stderr, "recv: %s\n", gnutls_strerror((int)r));
			}
			return r;
		}
	}
}

static int http(gnutls_session_t s, const char *method, const char *path, const char *req,
		int *status, char **body)
{
	char head[512];
	static __thread char buf[1 << 17];
	size_t got = 0, need;
	char *end, *cl;
	int n;

	n = snprintf(head, sizeof(head),
		     "%s %s HTTP/1.1\r\nHost: localhost\r\nKiosk-Protocol: 1\r\n"
		     "Content-Type: application/json; charset=utf-8\r\nContent-Length: %zu\r\n\r\n",
		     method, path, req ? strlen(req) : 0);
	if (send_all(s, head, (size_t)n) != 0 || (req && send_all(s, req, strlen(req)) != 0)) {
		return -1;
	}
	for (;;) {
		ssize_t r = recv_some(s, buf + got, sizeof(buf) - 1 - got);

		if (r <= 0) {
			return -1;
		}
		got += (size_t)r;
		buf[got] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (end != NULL) {
			break;
		}
	}
	if (sscanf(buf, "HTTP/1.1 %d", status) != 1) {
		return -1;
	}
	cl = strcasestr(buf, "\r\nContent-Length:");
	if (cl == NULL || cl > end) {
		return -1;
	}
	need = (size_t)(end + 4 - buf) + strtoul(cl + 17, NULL, 10);
	while (got < need) {
		ssize_t r = recv_some(s, buf + got, sizeof(buf) - 1 - got);

		if (r <= 0) {
			return -1;
		}
		got += (size_t)r;
	}
	buf[need] = '\0';
	*body = strdup(end + 4);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *kiosk_main(void *arg)
{
	struct kiosk *k = arg;
	gnutls_session_t s;
	int fd, status = 0;
	double t0 = now_s();

	if (conn_open(&s, &fd) != 0) {
		return NULL;
	}
	for (int i = 0; i < k->rounds; i++) {
		char *body = NULL, *req;
		char rid[33];
		uint8_t chal[32];
		size_t n = 0;
		cJSON *o;
		const char *text;
		int p = k->idx % 6;

		if (http(s, "POST", "/v1/challenges", "{\"kiosk_id\":\"" KIOSK "\"}", &status,
			 &body) != 0 || status != 201) {
			break;
		}
		o = cJSON_Parse(body);
		free(body);
		text = cJSON_GetStringValue(cJSON_GetObjectItem(o, "challenge"));
		if (text == NULL || rc_b64url_decode(text, chal, sizeof(chal), &n) != 0 ||
		    refc_card_sign(k->card, chal, n, &k->ev) != 0) {
			cJSON_Delete(o);
			break;
		}
		snprintf(rid, sizeof(rid), "%08x%08x%016x", (unsigned)k->idx, (unsigned)i, 0xabcu);
		req = refc_request_json(&k->ev, rid, KIOSK, MUNI[p], "domestic", text);
		cJSON_Delete(o);
		if (http(s, "POST", "/v1/certificates", req, &status, &body) != 0) {
			free(req);
			break;
		}
		free(req);
		o = cJSON_Parse(body);
		free(body);
		text = cJSON_GetStringValue(cJSON_GetObjectItem(o, "certificate_id"));
		if (status == 200 && text != NULL) {
			snprintf(k->ids[k->ok], 32, "%s", text);
			k->ok++;
		} else {
			fprintf(stderr, "kiosk %d round %d: http %d\n", k->idx, i, status);
		}
		cJSON_Delete(o);
	}
	k->secs = now_s() - t0;
	gnutls_bye(s, GNUTLS_SHUT_WR);
	gnutls_deinit(s);
	close(fd);
	return NULL;
}

static int cmp_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

int main(int argc, char **argv)
{
	int kiosks = argc > 1 ? atoi(argv[1]) : 50;
	int rounds = argc > 2 ? atoi(argv[2]) : 4;
	static struct kiosk k[MAX_KIOSKS];
	char anchors[4200], path[4200], path2[4200], fdtext[16], line[128] = "";
	int fds[2], total = 0, dup = 0, status = 0;
	pid_t pid;
	double t0, secs;
	char(*all)[32];
	ssize_t got = 0;

	if (kiosks < 1 || kiosks > MAX_KIOSKS || rounds < 1 || rounds > 1000) {
		fprintf(stderr, "usage: refcenter_load [KIOSKS<=%d [ROUNDS]]\n", MAX_KIOSKS);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	snprintf(pki, sizeof(pki), "%s", getenv("KIOSK_CENTER_PKI"));
	snprintf(anchors, sizeof(anchors), "%s/anchors", getenv("KIOSK_TEST_PKI"));
	if (pipe(fds) != 0) {
		return 1;
	}
	snprintf(fdtext, sizeof(fdtext), "%d", fds[1]);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		execl(REFC_BIN, REFC_BIN, "--port", "0", "--pki", pki, "--card-anchors", anchors,
		      "--data", REFC_FIXTURES, "--ready-fd", fdtext, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	{
		struct pollfd p = {.fd = fds[0], .events = POLLIN};

		while (strchr(line, '\n') == NULL && poll(&p, 1, 20000) == 1) {
			ssize_t r = read(fds[0], line + got, sizeof(line) - 1 - (size_t)got);

			if (r <= 0) {
				break;
			}
			got += r;
			line[got] = '\0';
		}
	}
	close(fds[0]);
	if (sscanf(line, "ready %u", &port) != 1) {
		fprintf(stderr, "center did not start\n");
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
		return 1;
	}

	gnutls_global_init();
	gnutls_certificate_allocate_credentials(&cred);
	snprintf(path, sizeof(path), "%s/center-ca.crt.pem", pki);
	gnutls_certificate_set_x509_trust_file(cred, path, GNUTLS_X509_FMT_PEM);
	snprintf(path, sizeof(path), "%s/kiosk.crt.pem", pki);
	snprintf(path2, sizeof(path2), "%s/kiosk.key.pem", pki);
	gnutls_certificate_set_x509_key_file(cred, path, path2, GNUTLS_X509_FMT_PEM);

	for (int i = 0; i < kiosks; i++) {
		k[i].idx = i;
		k[i].rounds = rounds;
		k[i].ids = calloc((size_t)rounds, 32);
		k[i].card = refc_card_open(PERSONAS[i % 6], &k[i].ev);
		if (k[i].card == NULL) {
			return 1;
		}
	}
	t0 = now_s();
	for (int i = 0; i < kiosks; i++) {
		pthread_create(&k[i].th, NULL, kiosk_main, &k[i]);
	}
	for (int i = 0; i < kiosks; i++) {
		pthread_join(k[i].th, NULL);
	}
	secs = now_s() - t0;

	all = calloc((size_t)(kiosks * rounds), 32);
	for (int i = 0; i < kiosks; i++) {
		for (int j = 0; j < k[i].ok; j++) {
			memcpy(all[total++], k[i].ids[j], 32);
		}
		free(k[i].ids);
		cardsim_card_free(k[i].card);
	}
	qsort(all, (size_t)total, 32, cmp_id);
	for (int i = 1; i < total; i++) {
		dup += strcmp(all[i - 1], all[i]) == 0;
	}
	free(all);
	printf("refcenter_load: %d kiosks x %d rounds: %d/%d issued, %d duplicate ids, "
	       "%.2f s, %.1f issuances/s (each: challenge + certificate, full card "
	       "re-verification, SHC)\n",
	       kiosks, rounds, total, kiosks * rounds, dup, secs, total / secs);
	gnutls_certificate_free_credentials(cred);
	gnutls_global_deinit();
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	return (total == kiosks * rounds && dup == 0 && WIFEXITED(status) &&
		WEXITSTATUS(status) == 0)
		       ? 0
		       : 1;
}
