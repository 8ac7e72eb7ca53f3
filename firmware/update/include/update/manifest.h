/* SPDX-License-Identifier: MIT */
/*
 * The signed manifest of a firmware image (docs/image-format.md): what the
 * image is for, which anti-rollback counter it carries, and per payload the
 * slot class, size and SHA-256. Fixed caps everywhere: nothing an image says
 * about its own lengths drives an allocation.
 */
#ifndef UPDATE_MANIFEST_H
#define UPDATE_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "update/reason.h"

#define UPDATE_FORMAT_VERSION 1
#define UPDATE_MANIFEST_MAX 4096               /* bytes of a serialized manifest */
#define UPDATE_STR_MAX 64                      /* compatible/version/build id, incl. NUL */
#define UPDATE_CLASS_MAX 16                    /* slot class, incl. NUL */
#define UPDATE_PAYLOADS_MAX 8
#define UPDATE_PAYLOAD_SIZE_MAX (1ULL << 40)   /* 1 TiB: above any slot we ship */

struct update_payload {
	char slot_class[UPDATE_CLASS_MAX];     /* [a-z0-9_-]+, e.g. "rootfs", "app" */
	uint64_t size;
	uint8_t sha256[32];
};

struct update_manifest {
	uint16_t format_version;
	char compatible[UPDATE_STR_MAX];       /* board id, must equal update.compatible */
	char version[UPDATE_STR_MAX];          /* human firmware version */
	uint64_t counter;                      /* monotonic anti-rollback counter */
	char build_id[UPDATE_STR_MAX];
	unsigned n_payloads;
	struct update_payload payloads[UPDATE_PAYLOADS_MAX];
};

/**
 * Parse a serialized manifest. Refuses (KIOSK_ERR_UPDATE) anything not exactly
 * as docs/image-format.md says: unknown format version, strings out of range or
 * with bytes outside printable ASCII, 0 or more than UPDATE_PAYLOADS_MAX payloads,
 * sizes 0 or above UPDATE_PAYLOAD_SIZE_MAX, duplicate slot classes, trailing bytes.
 * @m is fully written on success, zeroed on failure; @why (may be NULL) gets
 * FORMAT, TOO_LARGE or DUPLICATE.
 */
int update_manifest_parse(struct update_manifest *m, const uint8_t *buf, size_t len,
			  enum update_reason *why);

/**
 * Serialize @m into @out (cap bytes). Does not check semantics (duplicates,
 * sizes) so that tests can sign manifests the parser must refuse; only string
 * lengths and the payload count, which the layout cannot express otherwise.
 * @return KIOSK_OK, KIOSK_ERR_INVALID_ARG or KIOSK_ERR_BUFFER_TOO_SMALL.
 */
int update_manifest_serialize(const struct update_manifest *m, uint8_t *out, size_t cap,
			      size_t *out_len);

#endif /* UPDATE_MANIFEST_H */
