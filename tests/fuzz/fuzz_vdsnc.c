/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the VDS-NC seal parser and the JCS canonicaliser. No keys:
 * cert_vdsnc_parse() is the parse-only entry point (no chain, no signature).
 * Canonical output must be a fixed point, JCS(JCS(x)) == JCS(x), and never longer
 * than its source (the VDS-NC verifier sizes its buffer on that).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/certificate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct kiosk_certificate cert;
static uint8_t scratch[CERT_SCRATCH_SIZE];
static uint8_t canon[16384];
static uint8_t again[16384];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n;
	size_t m;

	if (cert_vdsnc_parse((const char *)data, size, &cert, scratch, sizeof(scratch)) == 0 &&
	    (!cert.vds.present || cert.vds.dose_count > CERT_DOSES_MAX)) {
		abort();
	}
	if (cert_jcs_canonicalize((const char *)data, size, scratch, sizeof(scratch), canon,
				  sizeof(canon), &n) == 0) {
		if (n > size ||
		    cert_jcs_canonicalize((const char *)canon, n, scratch, sizeof(scratch), again,
					  sizeof(again), &m) != 0 ||
		    m != n || memcmp(canon, again, n) != 0) {
			abort();
		}
	}
	return 0;
}
