/* SPDX-License-Identifier: MIT */
/* Challenges: random, short-lived, bound to the kiosk that asked, accepted once. */
#include <stdlib.h>
#include <string.h>

#include <mbedtls/platform_util.h>

#include "center.h"

struct rc_chal {
	bool used_slot;
	char kiosk[RC_KIOSK_ID_MAX];
	uint8_t nonce[RC_CHALLENGE_LEN];
	int64_t expires_ms;
};

struct rc_challenges {
	struct rc_chal *c;
	size_t max;
};

struct rc_challenges *rc_challenges_new(size_t max)
{
	struct rc_challenges *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		return NULL;
	}
	c->c = calloc(max, sizeof(*c->c));
	if (c->c == NULL) {
		free(c);
		return NULL;
	}
	c->max = max;
	return c;
}

void rc_challenges_free(struct rc_challenges *c)
{
	if (c == NULL) {
		return;
	}
	mbedtls_platform_zeroize(c->c, c->max * sizeof(*c->c));
	free(c->c);
	free(c);
}

int rc_challenges_add(struct rc_challenges *c, const char *kiosk, const uint8_t *nonce,
		      int64_t now_ms, int64_t ttl_ms)
{
	struct rc_chal *slot = NULL;

	if (strlen(kiosk) >= RC_KIOSK_ID_MAX) {
		return -1;
	}
	for (size_t i = 0; i < c->max; i++) {
		if (c->c[i].used_slot && c->c[i].expires_ms <= now_ms) {
			mbedtls_platform_zeroize(&c->c[i], sizeof(c->c[i]));
		}
		if (!c->c[i].used_slot && slot == NULL) {
			slot = &c->c[i];
		}
	}
	if (slot == NULL) {
		return -1;
	}
	slot->used_slot = true;
	memcpy(slot->kiosk, kiosk, strlen(kiosk) + 1);
	memcpy(slot->nonce, nonce, RC_CHALLENGE_LEN);
	slot->expires_ms = now_ms + ttl_ms;
	return 0;
}

int rc_challenges_take(struct rc_challenges *c, const char *kiosk, const uint8_t *nonce,
		       size_t len, int64_t now_ms)
{
	if (len != RC_CHALLENGE_LEN) {
		return -1;
	}
	for (size_t i = 0; i < c->max; i++) {
		struct rc_chal *s = &c->c[i];

		if (!s->used_slot || memcmp(s->nonce, nonce, RC_CHALLENGE_LEN) != 0) {
			continue;
		}
		/* Found: whatever the verdict, it is spent now. */
		bool ok = s->expires_ms > now_ms && strcmp(s->kiosk, kiosk) == 0;

		mbedtls_platform_zeroize(s, sizeof(*s));
		return ok ? 0 : -1;
	}
	return -1;
}
