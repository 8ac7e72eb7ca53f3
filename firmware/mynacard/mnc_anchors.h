/* SPDX-License-Identifier: MIT */
/* Internal: trust-anchor lookup for the chain and the cert cache. */
#ifndef MNC_ANCHORS_H
#define MNC_ANCHORS_H

#include <stdint.h>

#include "kiosk/mynacard.h"
#include "mnc_rsa_pub.h"

#define MNC_ANCHORS_MAX 64
#define MNC_ANCHOR_FILE_MAX (16u * 1024u)

/** The CA key named by all 16 bytes of @key_id, or NULL. */
const struct mnc_rsa_pub *mnc_anchors_find(const struct mnc_anchors *a,
					   const uint8_t key_id[MNC_KEY_ID_LEN]);

#endif /* MNC_ANCHORS_H */
