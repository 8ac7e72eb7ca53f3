/* SPDX-License-Identifier: MIT */
/*
 * image_install_bench [MiB] [runs]: build a signed image with one payload of
 * MiB (default 64) and time update_install() into a file slot (median of runs,
 * default 5), with the peak RSS after a 1 MiB install and after the big one:
 * the installer streams, so the two should match.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "kiosk/err.h"
#include "update/bootstate.h"
#include "update/config.h"
#include "update/image.h"
#include "update/install.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long peak_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static int fill(const char *path, size_t mib)
{
	static unsigned char buf[1 << 20];
	FILE *fp = fopen(path, "wb");
	unsigned x = 12345;

	if (fp == NULL) {
		return -1;
	}
	for (size_t m = 0; m < mib; m++) {
		for (size_t i = 0; i < sizeof(buf); i++) {
			x = x * 1103515245u + 12345u;
			buf[i] = (unsigned char)(x >> 16);
		}
		if (fwrite(buf, 1, sizeof(buf), fp) != sizeof(buf)) {
			fclose(fp);
			return -1;
		}
	}
	return fclose(fp);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a;
	double y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* build an image of @mib MiB and install it @runs times; median seconds */
static int run(const char *dir, size_t mib, int runs, double *median)
{
	struct update_config cfg;
	struct update_manifest m;
	struct update_report rep;
	char payload[256];
	char image[256];
	char key[600];
	char cert[600];
	char why[256] = "";
	const char *paths[1] = { payload };
	double t[32];

	update_config_init(&cfg);
	snprintf(payload, sizeof(payload), "%s/rootfs-%zu.bin", dir, mib);
	snprintf(image, sizeof(image), "%s/fw-%zu.kfw", dir, mib);
	snprintf(key, sizeof(key), "%s/release-signer.key.pem", BENCH_RELEASE_PKI);
	snprintf(cert, sizeof(cert), "%s/release-signer.crt.pem", BENCH_RELEASE_PKI);
	snprintf(cfg.release_root, sizeof(cfg.release_root), "%s/release-root.crt.pem",
		 BENCH_RELEASE_PKI);
	snprintf(cfg.state_file, sizeof(cfg.state_file), "%s/state-%zu", dir, mib);
	strcpy(cfg.compatible, "kiosk-sim");
	cfg.n_slots = 1;
	strcpy(cfg.slots[0].slot_class, "rootfs");
	for (int i = 0; i < 2; i++) {
		int fd;

		snprintf(cfg.slots[0].path[i], PATH_MAX, "%s/slot-%zu-%c.img", dir, mib, 'a' + i);
		fd = open(cfg.slots[0].path[i], O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || ftruncate(fd, (off_t)(mib << 20)) != 0) {
			return -1;
		}
		close(fd);
	}
	if (fill(payload, mib) != 0) {
		return -1;
	}
	memset(&m, 0, sizeof(m));
	m.format_version = UPDATE_FORMAT_VERSION;
	strcpy(m.compatible, "kiosk-sim");
	strcpy(m.version, "bench");
	strcpy(m.build_id, "bench");
	m.n_payloads = 1;
	strcpy(m.payloads[0].slot_class, "rootfs");
	if (update_image_build(image, &m, paths, key, cert, why, sizeof(why)) != KIOSK_OK) {
		fprintf(stderr, "build: %s\n", why);
		return -1;
	}
	for (int r = 0; r < runs; r++) {
		struct update_boot boot;
		double t0;
		int rc;

		unlink(cfg.state_file); /* fresh unit: A booted, install goes to B */
		if (update_boot_open(&boot, &cfg) != KIOSK_OK) {
			return -1;
		}
		t0 = now_s();
		rc = update_install(&cfg, &boot, image, NULL, &rep);
		t[r] = now_s() - t0;
		update_boot_close(&boot);
		if (rc != KIOSK_OK) {
			fprintf(stderr, "install: %s\n", rep.msg);
			return -1;
		}
	}
	qsort(t, (size_t)runs, sizeof(t[0]), cmp_double);
	*median = t[runs / 2];
	return 0;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? (size_t)atoi(argv[1]) : 64;
	int runs = argc > 2 ? atoi(argv[2]) : 5;
	char dir[] = "/tmp/image_bench.XXXXXX";
	char cmd[64];
	double small = 0;
	double big = 0;
	long rss_small;
	long rss_big;
	int rc;

	if (mib < 1 || mib > 4096 || runs < 1 || runs > 32 || mkdtemp(dir) == NULL) {
		fprintf(stderr, "usage: image_install_bench [MiB 1..4096] [runs 1..32]\n");
		return 2;
	}
	rc = run(dir, 1, runs, &small);
	rss_small = peak_rss_kib();
	if (rc == 0) {
		rc = run(dir, mib, runs, &big);
	}
	rss_big = peak_rss_kib();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "cleanup of %s failed\n", dir);
	}
	if (rc != 0) {
		fprintf(stderr, "image_install_bench: failed\n");
		return 1;
	}
	printf("install (verify + pre-hash + write/hash + fsync + read-back), median of %d:\n", runs);
	printf("  1 MiB image:   %8.3f s   peak RSS %ld KiB\n", small, rss_small);
	printf("  %zu MiB image: %8.3f s   peak RSS %ld KiB  (%.1f MiB/s)\n", mib, big, rss_big,
	       (double)mib / big);
	return 0;
}
