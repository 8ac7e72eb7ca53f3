/* SPDX-License-Identifier: MIT */
/*
 * Internal: EF 0001 (My Number) and EF 0002 (basic 4 information) parsers,
 * and the span of EF 0002 that check D hashes (mynacard.md §4.2-§4.3, §5.2).
 */
#ifndef MNC_BASIC4_H
#define MNC_BASIC4_H

#include <stddef.h>
#include <stdint.h>

#include "kiosk/mynacard.h"

/**
 * The bytes check D hashes: from the first byte of the DF22 tag to the end of
 * the DF25 TLV, found by walking FF20 { DF21, DF22, DF23, DF24, DF25 } (only
 * the structure; no content is looked at). @return 0 or KIOSK_ERR_CARD_DATA.
 */
int mnc_basic4_digest_span(const uint8_t *file, size_t len, size_t *off, size_t *span_len);

/**
 * Parse EF 0002 into @out (name split on U+3000, strict UTF-8, real date, sex
 * code) and check that the DF21 offsets are the real positions of DF22..DF25
 * from the file start. @out is wiped on failure. @return 0 or KIOSK_ERR_CARD_DATA.
 */
int mnc_basic4_parse(const uint8_t *file, size_t len, struct mnc_personal *out);

/**
 * Parse EF 0001 (FF10 with 12 ASCII digits; filler after it is ignored) into
 * @out->my_number. @return 0, KIOSK_ERR_CARD_DATA, KIOSK_ERR_MYNUMBER_CHECK_DIGIT.
 */
int mnc_my_number_parse(const uint8_t *file, size_t len, struct mnc_personal *out);

#endif /* MNC_BASIC4_H */
