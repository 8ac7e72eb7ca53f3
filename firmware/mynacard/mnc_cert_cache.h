/* SPDX-License-Identifier: MIT */
/*
 * Internal: municipality CV certificates whose check A passed, kept across
 * cards so the next card of the same municipality needs only the head of
 * EF 0004. Public data only: the 5F4E body (issuer id, subject id, e, n) and
 * the whole EF 0004 file it came from (the center wants the file in full).
 */
#ifndef MNC_CERT_CACHE_H
#define MNC_CERT_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "kiosk/mynacard.h"
#include "mnc_rsa_pub.h"

#define MNC_CERT_BODY_MAX 320  /* 297 for e = 65537 */
#define MNC_CERT_FILE_MAX 640  /* the whole EF 0004: 568 for e = 65537 */
#define MNC_CERT_CACHE_MAX 1024

/**
 * A verified body whose first @avail bytes equal @body_head (@avail >= the
 * two key ids; every byte present is compared, not only the ids), and whose
 * check A was done with the very key @anchors now hold for its issuer id.
 * @return the whole cached body (its length in @body_len), or NULL; @file and
 *         @file_len (may be NULL) get the whole EF 0004 file it came from.
 */
const uint8_t *mnc_cert_cache_lookup(const struct mnc_cert_cache *c,
				     const struct mnc_anchors *anchors, const uint8_t *body_head,
				     size_t avail, size_t *body_len, const uint8_t **file,
				     size_t *file_len);

/** Remember a body (and its whole EF 0004 @file) whose check A passed with @ca;
 *  the oldest entry goes when full. */
void mnc_cert_cache_insert(struct mnc_cert_cache *c, const uint8_t *body, size_t len,
			   const uint8_t *file, size_t file_len, const struct mnc_rsa_pub *ca);

/** Entries held (tests). */
size_t mnc_cert_cache_count(const struct mnc_cert_cache *c);

#endif /* MNC_CERT_CACHE_H */
