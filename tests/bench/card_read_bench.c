/* SPDX-License-Identifier: MIT */
/*
 * card_read_bench: read a simulated card N times through the real pcscd
 * (run under tools/rig) in each APDU mode, and print APDUs per read and the
 * time per read (median, p99). Numbers, not pass/fail: the targets are in the
 * issue (<= 10 APDUs short, <= 7 extended; the presence proof adds <= 4 / 2).
 *
 *   rig -- card_read_bench [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card_flow.h"
#include "kiosk/err.h"
#include "simctl.h"

struct mode {
	const char *name;
	const char *persona; /* short modes use a card whose ATR offers no extended length */
	bool presence;
	bool cache;
};

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	static const struct mode modes[] = {
		{ "extended", "standard", false, false },
		{ "extended+presence", "standard", true, false },
		{ "short", "no_ext", false, false },
		{ "short+cert-cache", "no_ext", false, true },
		{ "short+presence", "no_ext", true, false },
		{ "short+cert-cache+presence", "no_ext", true, true },
	};
	int n = argc > 1 ? atoi(argv[1]) : 50;
	struct kiosk_vault vault;
	struct mnc_anchors *anchors = NULL;
	struct persona p;
	char dir[1024];
	char cmd[1200];
	long *us;
	int failures = 0;

	if (n < 1 || n > 100000) {
		fprintf(stderr, "usage: card_read_bench [N] (under tools/rig)\n");
		return 2;
	}
	/* The build tree's personas and test PKI unless told otherwise. */
	setenv("KIOSK_PERSONAS", BENCH_PERSONA_DIR, 0);
	setenv("KIOSK_TEST_PKI", BENCH_PKI_DIR, 0);
	snprintf(dir, sizeof(dir), "%s/anchors", getenv("KIOSK_TEST_PKI"));
	kiosk_vault_init(&vault);
	us = calloc((size_t)n, sizeof(*us));
	if (us == NULL || kiosk_vault_setup(&vault, KIOSK_VAULT_DEFAULT_SIZE) != 0 ||
	    mnc_anchors_load_dir(&anchors, dir, false) != 0) {
		fprintf(stderr, "card_read_bench: setup failed\n");
		return 1;
	}
	printf("%-26s %5s %6s %6s %12s %12s\n", "mode", "reads", "apdus", "max", "median_ms",
	       "p99_ms");
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		struct mnc_cert_cache *cache = modes[m].cache ? mnc_cert_cache_new(16) : NULL;
		struct read_opts ro = { .presence = modes[m].presence, .cache = cache, .expect = &p };
		unsigned apdus_min = ~0u, apdus_max = 0;
		struct outcome o;

		snprintf(cmd, sizeof(cmd), "load %s/%s.json", getenv("KIOSK_PERSONAS"),
			 modes[m].persona);
		if (persona_load(modes[m].persona, &p) != 0 || card_swap(cmd, 5000) != 0) {
			fprintf(stderr, "card_read_bench: cannot insert persona %s\n",
				modes[m].persona);
			return 1;
		}
		ro.pin = p.pin;
		/* With the cache, the first read fills it; measure the reads after. */
		if (cache != NULL) {
			card_flow_read(&ro, &vault, anchors, &o);
		}
		for (int i = 0; i < n; i++) {
			card_flow_read(&ro, &vault, anchors, &o);
			if (o.rc != 0 || !o.data_matches || !o.vault_wiped) {
				fprintf(stderr, "card_read_bench: %s read %d failed: %s\n",
					modes[m].name, i, kiosk_err_name(o.rc));
				failures++;
				break;
			}
			us[i] = o.us;
			apdus_min = o.apdus < apdus_min ? o.apdus : apdus_min;
			apdus_max = o.apdus > apdus_max ? o.apdus : apdus_max;
		}
		qsort(us, (size_t)n, sizeof(*us), cmp_long);
		printf("%-26s %5d %6u %6u %12.3f %12.3f\n", modes[m].name, n, apdus_min,
		       apdus_max, us[n / 2] / 1000.0, us[(n * 99) / 100] / 1000.0);
		mnc_cert_cache_free(cache);
	}
	mnc_anchors_free(anchors);
	kiosk_vault_free(&vault);
	free(us);
	return failures ? 1 : 0;
}
