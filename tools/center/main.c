/* SPDX-License-Identifier: MIT */
/*
 * kiosk-center: the reference certificate center (TEST TOOL).
 *
 *   kiosk-center --port N --pki DIR --card-anchors DIR --data DIR
 *                [--server-cert normal|expired|wronghost] [--fault NAME=VALUE]...
 *                [--admin-port N] [--ready-fd N] [--bind ADDR] [--issuer URL]
 *
 * Writes "ready <port>\n" (plus " admin <port>" with --admin-port) to
 * --ready-fd once listening; exits cleanly on SIGTERM or SIGINT.
 */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/platform_util.h>

#include "center.h"

static void usage(void)
{
	fprintf(stderr,
		"usage: kiosk-center --port N --pki DIR --card-anchors DIR --data DIR\n"
		"       [--server-cert normal|expired|wronghost] [--fault NAME=VALUE]...\n"
		"       [--admin-port N] [--ready-fd N] [--bind ADDR] [--issuer URL]\n"
		"faults: delay_ms=MS drop=N http_500=N http_503=N malformed_json=N\n"
		"        oversized_body=N rogue_kid=N other_person=N (N: count, -1/on = always)\n");
}

/* cJSON's blocks hold certificates and card files: wipe each one it frees
 * (with custom hooks cJSON also stops using realloc, which would not wipe). */
static void *json_malloc(size_t n)
{
	return malloc(n);
}

static void json_free(void *p)
{
	if (p != NULL) {
		mbedtls_platform_zeroize(p, malloc_usable_size(p));
		free(p);
	}
}

static int num(const char *s, long max, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return (errno == 0 && end != s && *end == '\0' && *out >= 0 && *out <= max) ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct rc_server_opts so = {.server_cert = "normal", .bind = "127.0.0.1"};
	const char *anchors = NULL, *data = NULL, *issuer = NULL;
	const char *faults[64];
	size_t nfaults = 0;
	long port = -1, ready_fd = -1, v;
	static struct rc_center center;
	struct rc_server *srv = NULL;
	unsigned bound = 0, admin_bound = 0;
	char iss[256], line[64];
	sigset_t set;
	int sig = 0, rc = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (val == NULL) {
			usage();
			return 2;
		}
		i++;
		if (strcmp(a, "--port") == 0 && num(val, 65535, &port) == 0) {
			continue;
		} else if (strcmp(a, "--pki") == 0) {
			so.pki = val;
		} else if (strcmp(a, "--card-anchors") == 0) {
			anchors = val;
		} else if (strcmp(a, "--data") == 0) {
			data = val;
		} else if (strcmp(a, "--server-cert") == 0) {
			so.server_cert = val;
		} else if (strcmp(a, "--fault") == 0 && nfaults < 64) {
			faults[nfaults++] = val;
		} else if (strcmp(a, "--admin-port") == 0 && num(val, 65535, &v) == 0) {
			so.admin_port = (unsigned)v;
			so.admin_port_set = true;
		} else if (strcmp(a, "--ready-fd") == 0 && num(val, 1 << 20, &ready_fd) == 0) {
			continue;
		} else if (strcmp(a, "--bind") == 0) {
			so.bind = val;
		} else if (strcmp(a, "--issuer") == 0) {
			issuer = val;
		} else {
			usage();
			return 2;
		}
	}
	if (port < 0 || so.pki == NULL || anchors == NULL || data == NULL) {
		usage();
		return 2;
	}
	{
		cJSON_Hooks hooks = {.malloc_fn = json_malloc, .free_fn = json_free};

		cJSON_InitHooks(&hooks);
	}
	so.port = (unsigned)port;

	/* Every thread inherits the mask; the main thread takes the signal. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (rc_center_open(&center, so.pki, anchors, data, "") != 0) {
		goto out;
	}
	for (size_t i = 0; i < nfaults; i++) {
		if (rc_faults_set_arg(&center.faults, faults[i]) != 0) {
			fprintf(stderr, "kiosk-center: bad --fault %s\n", faults[i]);
			goto out;
		}
	}
	if (rc_server_start(&srv, &center, &so, &bound, &admin_bound) != 0) {
		goto out;
	}
	if (issuer != NULL) {
		snprintf(iss, sizeof(iss), "%s", issuer);
	} else {
		snprintf(iss, sizeof(iss), "https://localhost:%u/issuer", bound);
	}
	/* Set before the ready line: no request can be served with an empty iss. */
	pthread_mutex_lock(&center.lock);
	snprintf(center.iss, sizeof(center.iss), "%s", iss);
	pthread_mutex_unlock(&center.lock);

	printf("kiosk-center: https://%s:%u/ (issuer %s)", so.bind, bound, iss);
	if (so.admin_port_set) {
		printf(", admin http://127.0.0.1:%u/admin/", admin_bound);
	}
	printf("\n");
	fflush(stdout);
	if (ready_fd >= 0) {
		int n = so.admin_port_set
				? snprintf(line, sizeof(line), "ready %u admin %u\n", bound,
					   admin_bound)
				: snprintf(line, sizeof(line), "ready %u\n", bound);

		if (write((int)ready_fd, line, (size_t)n) != n) {
			fprintf(stderr, "kiosk-center: cannot write to --ready-fd\n");
		}
		close((int)ready_fd);
	}
	/* Wake every second to wipe idempotency entries past their window even
	 * when no request comes to trigger the sweep. */
	for (;;) {
		struct timespec tick = {.tv_sec = 1, .tv_nsec = 0};

		sig = sigtimedwait(&set, NULL, &tick);
		if (sig > 0) {
			break;
		}
		pthread_mutex_lock(&center.lock);
		rc_idem_sweep(center.idem, rc_now_ms());
		pthread_mutex_unlock(&center.lock);
	}
	fprintf(stderr, "kiosk-center: signal %d, stopping\n", sig);
	rc = 0;
out:
	rc_server_stop(srv);
	rc_center_close(&center);
	return rc;
}
