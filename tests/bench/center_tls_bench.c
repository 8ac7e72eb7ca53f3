/* SPDX-License-Identifier: MIT */
/*
 * center_tls_bench: time the center client's mutual-TLS handshake against a
 * local `openssl s_server` (the TEST-ONLY center PKI): N full handshakes
 * (session forgotten each time) and N resumed ones; prints median and p99.
 *
 *   center_tls_bench [N]        (KIOSK_CENTER_PKI overrides the PKI folder)
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kiosk/center.h"
#include "kiosk/err.h"

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a;
	long long y = *(const long long *)b;

	return (x > y) - (x < y);
}

static unsigned pick_port(void)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	unsigned port = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &sl) == 0) {
		port = ntohs(sa.sin_port);
	}
	if (fd >= 0) {
		close(fd);
	}
	return port;
}

static int listening(unsigned port)
{
	FILE *f = fopen("/proc/net/tcp", "re");
	char line[512];
	char want[32];
	int found = 0;

	if (f == NULL) {
		return 0;
	}
	snprintf(want, sizeof(want), "0100007F:%04X", port);
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		char local[64];
		char remote[64];
		unsigned st;

		found = sscanf(line, "%*d: %63s %63s %x", local, remote, &st) == 3 &&
			strcmp(local, want) == 0 && st == 0x0A;
	}
	fclose(f);
	return found;
}

static void report(const char *what, long long *us, int n)
{
	qsort(us, (size_t)n, sizeof(*us), cmp_ll);
	printf("%-22s n=%d  median %.3f ms  p99 %.3f ms  min %.3f ms\n", what, n,
	       (double)us[n / 2] / 1000.0,
			(double)us[(n * 99) / 100 >= n ? n - 1 : (n * 99) / 100] / 1000.0,
	       (double)us[0] / 1000.0);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 100;
	const char *dir = getenv("KIOSK_CENTER_PKI");
	char cert[1024], key[1024], kca[1024], cca[1024], kcrt[1024], kkey[1024];
	char accept_arg[32], url[64];
	struct center_settings st;
	struct center_client c;
	long long *full = NULL;
	long long *resumed = NULL;
	unsigned port;
	pid_t pid;
	long long end;
	int rc = 1;
	int devnull;

	if (n < 1 || n > 100000) {
		fprintf(stderr, "usage: center_tls_bench [N]\n");
		return 2;
	}
	if (dir == NULL) {
		dir = BENCH_CENTER_PKI;
	}
	snprintf(cert, sizeof(cert), "%s/center.crt.pem", dir);
	snprintf(key, sizeof(key), "%s/center.key.pem", dir);
	snprintf(kca, sizeof(kca), "%s/kiosk-ca.crt.pem", dir);
	snprintf(cca, sizeof(cca), "%s/center-ca.crt.pem", dir);
	snprintf(kcrt, sizeof(kcrt), "%s/kiosk.crt.pem", dir);
	snprintf(kkey, sizeof(kkey), "%s/kiosk.key.pem", dir);
	port = pick_port();
	snprintf(accept_arg, sizeof(accept_arg), "127.0.0.1:%u", port);
	snprintf(url, sizeof(url), "https://localhost:%u", port);

	signal(SIGPIPE, SIG_IGN);
	pid = fork();
	if (pid < 0) {
		return 1;
	}
	if (pid == 0) {
		devnull = open("/dev/null", O_RDWR);
		/* never outlive the bench */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(devnull, 1);
		dup2(devnull, 2);
		execlp("openssl", "openssl", "s_server", "-quiet", "-accept", accept_arg, "-cert",
		       cert, "-key", key, "-Verify", "1", "-CAfile", kca, "-verify_return_error",
		       (char *)NULL);
		_exit(127);
	}
	end = now_us() + 10000000;
	while (!listening(port) && now_us() < end && waitpid(pid, NULL, WNOHANG) == 0) {
		struct timespec ts = { 0, 10000000 };

		nanosleep(&ts, NULL);
	}
	if (!listening(port)) {
		fprintf(stderr, "openssl s_server did not start\n");
		goto out;
	}

	memset(&st, 0, sizeof(st));
	st.url = url;
	st.ca_file = cca;
	st.client_cert = kcrt;
	st.client_key = kkey;
	st.kiosk_id = "KIOSK-SIM-0001";
	st.connect_timeout_ms = st.handshake_timeout_ms = st.read_timeout_ms = 5000;
	center_client_init(&c);
	if (center_client_setup(&c, &st) != 0) {
		fprintf(stderr, "client setup failed\n");
		goto out;
	}
	full = calloc((size_t)n, sizeof(*full));
	resumed = calloc((size_t)n, sizeof(*resumed));
	if (full == NULL || resumed == NULL) {
		goto out_client;
	}
	for (int i = 0; i < n; i++) {
		long long t0;
		int err;

		center_forget_session(&c);
		t0 = now_us();
		err = center_connect(&c);
		full[i] = now_us() - t0;
		center_disconnect(&c);
		if (err != 0 || c.last_resumed) {
			fprintf(stderr, "full handshake %d: %s\n", i, kiosk_err_name(err));
			goto out_client;
		}
	}
	for (int i = 0; i < n; i++) {
		long long t0;
		int err;

		t0 = now_us();
		err = center_connect(&c);
		resumed[i] = now_us() - t0;
		center_disconnect(&c);
		if (err != 0 || (i > 0 && !c.last_resumed)) {
			fprintf(stderr, "resumed handshake %d: %s resumed=%d\n", i,
					kiosk_err_name(err),
				c.last_resumed);
			goto out_client;
		}
	}
	printf("center TLS 1.2 mutual auth, ECDSA P-256, loopback, openssl s_server\n");
	report("full handshake", full, n);
	/* the first of the "resumed" run resumed the last full session too */
	report("resumed handshake", resumed, n);
	rc = 0;
out_client:
	center_client_free(&c);
out:
	free(full);
	free(resumed);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	return rc;
}
