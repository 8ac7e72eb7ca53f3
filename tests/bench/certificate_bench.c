/* SPDX-License-Identifier: MIT */
/*
 * certificate_bench: the certificate step on loopback, under tools/rig --center:
 *   - end to end: challenge from the center, card phase through the real pcscd
 *     (one VERIFY, reads, chain, the card signs the challenge), request over
 *     mutual TLS (resumed sessions after the first), SHC verified, holder bound;
 *   - the request alone (request + verification, the card already read);
 *   - SMART Health Card verification alone (ES256, inflate, FHIR parse).
 * Prints median and p99; numbers, not pass/fail.
 *
 *   rig --center -- certificate_bench [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "card_flow.h"
#include "kiosk/board.h"
#include "kiosk/center.h"
#include "kiosk/err.h"
#include "kiosk/issuance.h"

struct bench {
	struct center_client client;
	struct cert_keyset *issuers;
	struct kiosk_vault *vault;
	struct center_challenge challenge;
	struct center_certificate issued;
	struct kiosk_certificate *model;
	long request_us;
	struct kiosk_vault *keep;  /* survives card_flow's wipe: one JWS to verify again */
	char *jws;
	size_t jws_len;
};

static long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000L + ts.tv_nsec / 1000L;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

static void report(const char *what, long *us, int n)
{
	qsort(us, (size_t)n, sizeof(*us), cmp_long);
	printf("%-38s n=%-4d median %8.3f ms  p99 %8.3f ms\n", what, n, us[n / 2] / 1000.0,
	       us[(n * 99) / 100] / 1000.0);
}

/* After the card phase, with the card's signature over the challenge. */
static int request(struct mnc_session *s, void *arg)
{
	struct bench *b = arg;
	struct issuance_trust trust = { .issuers = b->issuers };
	bool holder = false;
	long t0 = now_us();
	int rc;

	b->model = kiosk_vault_alloc(b->vault, sizeof(*b->model));
	if (b->model == NULL) {
		return KIOSK_ERR_VAULT;
	}
	rc = issuance_request_certificate(s, &b->client, &b->challenge, "131016",
					  CENTER_CERT_DOMESTIC, &trust, b->vault, &b->issued,
					  b->model, &holder);
	b->request_us = now_us() - t0;
	if (rc == 0 && b->jws == NULL && b->issued.shc_len < 8192) {
		b->jws = kiosk_vault_alloc(b->keep, b->issued.shc_len + 1);
		if (b->jws != NULL) {
			memcpy(b->jws, b->issued.shc, b->issued.shc_len);
			b->jws_len = b->issued.shc_len;
		}
	}
	return rc == 0 && !holder ? KIOSK_ERR_CERT_HOLDER_MISMATCH : rc;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 30;
	struct kiosk_vault vault;
	struct kiosk_vault keep;
	struct kiosk_certificate *model;
	struct mnc_anchors *anchors = NULL;
	struct kiosk_board board;
	struct center_settings cs;
	struct persona p;
	struct bench b;
	struct outcome o;
	char why[256], dir[1024];
	long *e2e, *req, *ver;
	void *scratch;

	if (n < 1 || n > 10000 || getenv("KIOSK_CENTER_URL") == NULL) {
		fprintf(stderr, "usage: rig --center -- certificate_bench [N]\n");
		return 2;
	}
	setenv("KIOSK_PERSONAS", BENCH_PERSONA_DIR, 0);
	setenv("KIOSK_TEST_PKI", BENCH_PKI_DIR, 0);
	memset(&b, 0, sizeof(b));
	kiosk_vault_init(&vault);
	kiosk_vault_init(&keep);
	center_client_init(&b.client);
	snprintf(dir, sizeof(dir), "%s/anchors", getenv("KIOSK_TEST_PKI"));
	e2e = calloc((size_t)n, sizeof(long));
	req = calloc((size_t)n, sizeof(long));
	ver = calloc((size_t)n, sizeof(long));
	if (e2e == NULL || req == NULL || ver == NULL || persona_load("standard", &p) != 0 ||
	    kiosk_board_load(&board, "sim", why, sizeof(why)) != 0 ||
	    kiosk_vault_setup(&vault, ISSUANCE_VAULT_NEED + 2 * KIOSK_VAULT_DEFAULT_SIZE) != 0 ||
	    kiosk_vault_setup(&keep, KIOSK_VAULT_DEFAULT_SIZE) != 0 ||
	    mnc_anchors_load_dir(&anchors, dir, false) != 0 ||
	    cert_keyset_load_jwks(&b.issuers, board.cert_issuer_jwks) != 0) {
		fprintf(stderr, "certificate_bench: setup failed\n");
		return 1;
	}
	center_settings_from_board(&cs, &board);
	cs.url = getenv("KIOSK_CENTER_URL");
	if (center_client_setup(&b.client, &cs) != 0) {
		fprintf(stderr, "certificate_bench: center client setup failed\n");
		return 1;
	}
	b.vault = &vault;
	b.keep = &keep;
	for (int i = 0; i < n; i++) {
		struct read_opts ro = { .pin = p.pin, .presence = true, .expect = &p,
					.after_card = request, .after_card_arg = &b };
		long t0 = now_us();
		int rc = center_post_challenge(&b.client, &b.challenge);

		if (rc == 0) {
			ro.nonce = b.challenge.bytes;
			ro.nonce_len = CENTER_CHALLENGE_LEN;
			/* card_flow wipes the vault at the end: keep one JWS for below */
			card_flow_read(&ro, &vault, anchors, &o);
			rc = o.rc;
		}
		if (rc != 0) {
			fprintf(stderr, "certificate_bench: issuance %d failed: %s\n", i,
				kiosk_err_name(rc));
			return 1;
		}
		e2e[i] = now_us() - t0;
		req[i] = b.request_us;
	}
	report("end to end (card + center + verify)", e2e, n);
	report("request + verification", req, n);
	/* SHC verification alone, on one JWS the center issued above. */
	scratch = kiosk_vault_alloc(&keep, CERT_SCRATCH_SIZE);
	model = kiosk_vault_alloc(&keep, sizeof(*model));
	if (b.jws == NULL || scratch == NULL || model == NULL) {
		fprintf(stderr, "certificate_bench: no JWS kept\n");
		return 1;
	}
	for (int i = 0; i < n; i++) {
		long t0 = now_us();

		if (cert_shc_verify(b.jws, b.jws_len, b.issuers, model, scratch,
				    CERT_SCRATCH_SIZE) != 0) {
			fprintf(stderr, "certificate_bench: verification failed\n");
			return 1;
		}
		ver[i] = now_us() - t0;
	}
	report("SHC verification (ES256+inflate+FHIR)", ver, n);
	printf("TLS: %lu full handshakes, %lu resumed\n", (unsigned long)b.client.handshakes_full,
	       (unsigned long)b.client.handshakes_resumed);
	kiosk_vault_free(&keep);
	center_client_free(&b.client);
	cert_keyset_free(b.issuers);
	mnc_anchors_free(anchors);
	kiosk_vault_free(&vault);
	free(e2e);
	free(req);
	free(ver);
	return 0;
}
