/* SPDX-License-Identifier: MIT */
/*
 * Idempotency: (kiosk, request id) -> the answer given, for 10 minutes, in
 * memory only. Answers hold personal data (the certificate), so an expired
 * entry is wiped, not just freed. Entries sit in a FIFO (insertion order is
 * expiry order: the sweep only looks at the expired head) and in hash
 * buckets (lookups stay cheap under load).
 */
#include <stdlib.h>
#include <string.h>

#include <mbedtls/platform_util.h>

#include "center.h"

#define BUCKETS 4096u

struct rc_idem_entry {
	struct rc_idem_entry *fifo_next;
	struct rc_idem_entry *bucket_next;
	char kiosk[RC_KIOSK_ID_MAX];
	char rid[RC_REQUEST_ID_LEN + 1];
	int http;
	int64_t stored_ms;
	size_t len;
	char *body;
};

struct rc_idem {
	struct rc_idem_entry *head; /* oldest */
	struct rc_idem_entry *tail; /* newest */
	struct rc_idem_entry *bucket[BUCKETS];
	size_t n;
};

static unsigned bucket_of(const char *kiosk, const char *rid)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (const char *p = rid; *p; p++) {
		h = (h ^ (uint8_t)*p) * 16777619u;
	}
	for (const char *p = kiosk; *p; p++) {
		h = (h ^ (uint8_t)*p) * 16777619u;
	}
	return h % BUCKETS;
}

struct rc_idem *rc_idem_new(void)
{
	return calloc(1, sizeof(struct rc_idem));
}

static void entry_wipe(struct rc_idem_entry *e)
{
	mbedtls_platform_zeroize(e->body, e->len);
	free(e->body);
	mbedtls_platform_zeroize(e, sizeof(*e));
	free(e);
}

/* Unlink the FIFO head (the oldest entry) everywhere and wipe it. */
static void drop_head(struct rc_idem *s)
{
	struct rc_idem_entry *e = s->head;
	struct rc_idem_entry **pp = &s->bucket[bucket_of(e->kiosk, e->rid)];

	while (*pp != NULL && *pp != e) {
		pp = &(*pp)->bucket_next;
	}
	if (*pp == e) {
		*pp = e->bucket_next;
	}
	s->head = e->fifo_next;
	if (s->head == NULL) {
		s->tail = NULL;
	}
	entry_wipe(e);
	s->n--;
}

size_t rc_idem_sweep(struct rc_idem *s, int64_t now_ms)
{
	size_t wiped = 0;

	while (s->head != NULL && now_ms - s->head->stored_ms >= RC_IDEM_TTL_MS) {
		drop_head(s);
		wiped++;
	}
	return wiped;
}

void rc_idem_free(struct rc_idem *s)
{
	if (s == NULL) {
		return;
	}
	while (s->head != NULL) {
		drop_head(s);
	}
	free(s);
}

char *rc_idem_get(struct rc_idem *s, const char *kiosk, const char *rid, int64_t now_ms,
		  int *http)
{
	rc_idem_sweep(s, now_ms);
	for (struct rc_idem_entry *e = s->bucket[bucket_of(kiosk, rid)]; e != NULL;
	     e = e->bucket_next) {
		if (strcmp(e->rid, rid) == 0 && strcmp(e->kiosk, kiosk) == 0) {
			char *copy = malloc(e->len + 1);

			if (copy != NULL) {
				memcpy(copy, e->body, e->len + 1);
				*http = e->http;
			}
			return copy;
		}
	}
	return NULL;
}

int rc_idem_put(struct rc_idem *s, const char *kiosk, const char *rid, int http,
		const char *body, int64_t now_ms)
{
	struct rc_idem_entry *e;
	unsigned b;

	if (strlen(kiosk) >= RC_KIOSK_ID_MAX || strlen(rid) > RC_REQUEST_ID_LEN ||
	    s->n >= RC_IDEM_MAX || (s->tail != NULL && now_ms < s->tail->stored_ms)) {
		return -1;
	}
	e = calloc(1, sizeof(*e));
	if (e == NULL) {
		return -1;
	}
	e->len = strlen(body);
	e->body = malloc(e->len + 1);
	if (e->body == NULL) {
		free(e);
		return -1;
	}
	memcpy(e->body, body, e->len + 1);
	memcpy(e->kiosk, kiosk, strlen(kiosk) + 1);
	memcpy(e->rid, rid, strlen(rid) + 1);
	e->http = http;
	e->stored_ms = now_ms;
	b = bucket_of(kiosk, rid);
	e->bucket_next = s->bucket[b];
	s->bucket[b] = e;
	if (s->tail != NULL) {
		s->tail->fifo_next = e;
	} else {
		s->head = e;
	}
	s->tail = e;
	s->n++;
	return 0;
}

size_t rc_idem_count(const struct rc_idem *s)
{
	return s->n;
}
