/* SPDX-License-Identifier: MIT */
/*
 * Verified municipality certificates, bounded, oldest out first. Everything
 * here is public: CV certificate bodies and CA public keys.
 */
#include <stdlib.h>
#include <string.h>

#include <mbedtls/platform_util.h>

#include "mnc_anchors.h"
#include "mnc_cert_cache.h"
#include "mnc_cvcert.h"

struct cert_entry {
	uint8_t body[MNC_CERT_BODY_MAX];
	size_t body_len;
	uint8_t file[MNC_CERT_FILE_MAX];
	size_t file_len;
	struct mnc_rsa_pub ca; /* the anchor check A used */
};

struct mnc_cert_cache {
	struct cert_entry *e;
	unsigned max;
	unsigned count;
	unsigned next; /* slot replaced when full */
};

struct mnc_cert_cache *mnc_cert_cache_new(unsigned max_entries)
{
	struct mnc_cert_cache *c;

	if (max_entries == 0 || max_entries > MNC_CERT_CACHE_MAX) {
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		return NULL;
	}
	c->e = calloc(max_entries, sizeof(*c->e));
	if (c->e == NULL) {
		free(c);
		return NULL;
	}
	c->max = max_entries;
	return c;
}

void mnc_cert_cache_free(struct mnc_cert_cache *c)
{
	if (c == NULL) {
		return;
	}
	mbedtls_platform_zeroize(c->e, (size_t)c->max * sizeof(*c->e));
	free(c->e);
	mbedtls_platform_zeroize(c, sizeof(*c));
	free(c);
}

size_t mnc_cert_cache_count(const struct mnc_cert_cache *c)
{
	return c != NULL ? c->count : 0;
}

static bool same_key(const struct mnc_rsa_pub *a, const struct mnc_rsa_pub *b)
{
	return a->e_len == b->e_len && memcmp(a->e, b->e, a->e_len) == 0 &&
	       memcmp(a->n, b->n, sizeof(a->n)) == 0;
}

const uint8_t *mnc_cert_cache_lookup(const struct mnc_cert_cache *c,
				     const struct mnc_anchors *anchors, const uint8_t *body_head,
				     size_t avail, size_t *body_len, const uint8_t **file,
				     size_t *file_len)
{
	const struct mnc_rsa_pub *ca;

	if (c == NULL || body_head == NULL || body_len == NULL || avail < MNC_CERT_IDS_LEN) {
		return NULL;
	}
	ca = mnc_anchors_find(anchors, body_head);
	if (ca == NULL) {
		return NULL;
	}
	for (unsigned i = 0; i < c->count; i++) {
		const struct cert_entry *e = &c->e[i];

		if (avail <= e->body_len && memcmp(e->body, body_head, avail) == 0 &&
		    same_key(&e->ca, ca)) {
			*body_len = e->body_len;
			if (file != NULL && file_len != NULL) {
				*file = e->file;
				*file_len = e->file_len;
			}
			return e->body;
		}
	}
	return NULL;
}

void mnc_cert_cache_insert(struct mnc_cert_cache *c, const uint8_t *body, size_t len,
			   const uint8_t *file, size_t file_len, const struct mnc_rsa_pub *ca)
{
	struct cert_entry *e;

	if (c == NULL || body == NULL || file == NULL || ca == NULL || len <= MNC_CERT_IDS_LEN ||
	    len > MNC_CERT_BODY_MAX || file_len < len || file_len > MNC_CERT_FILE_MAX) {
		return;
	}
	for (unsigned i = 0; i < c->count; i++) {
		if (c->e[i].body_len == len && memcmp(c->e[i].body, body, len) == 0 &&
		    same_key(&c->e[i].ca, ca)) {
			return;
		}
	}
	if (c->count < c->max) {
		e = &c->e[c->count++];
	} else {
		e = &c->e[c->next];
		c->next = (c->next + 1) % c->max;
	}
	memset(e, 0, sizeof(*e));
	memcpy(e->body, body, len);
	e->body_len = len;
	memcpy(e->file, file, file_len);
	e->file_len = file_len;
	e->ca = *ca;
}
