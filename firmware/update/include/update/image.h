/* SPDX-License-Identifier: MIT */
/*
 * A firmware image file (docs/image-format.md): header, manifest, signature,
 * signer certificate, payloads. Opening reads the bounded front matter only;
 * payloads are streamed later (memory does not grow with the image).
 */
#ifndef UPDATE_IMAGE_H
#define UPDATE_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "update/manifest.h"
#include "update/reason.h"

#define UPDATE_MAGIC "KIOSKFW1"                /* 8 bytes, no NUL in the file */
#define UPDATE_HEADER_LEN 16
#define UPDATE_SIG_MAX 128                     /* DER ECDSA P-256 is at most 72 */
#define UPDATE_CERT_MAX 4096

struct update_image {
	int fd;                                /* the image, owned; -1 when closed */
	uint64_t file_size;
	uint8_t header[UPDATE_HEADER_LEN];
	uint8_t manifest_raw[UPDATE_MANIFEST_MAX];
	size_t manifest_len;
	uint8_t sig[UPDATE_SIG_MAX];
	size_t sig_len;
	uint8_t cert[UPDATE_CERT_MAX];
	size_t cert_len;
	uint64_t payload_offset;               /* first payload byte in the file */
	bool verified;                         /* signature + chain + manifest + size ok */
	struct update_manifest manifest;       /* valid only when verified */
	char signer[160];                      /* signer subject, for display */
};

void update_image_init(struct update_image *img);

/**
 * Open @path and read its header, manifest, signature and certificate, each
 * against its cap. Nothing is trusted yet.
 * @return KIOSK_OK, KIOSK_ERR_UPDATE (@why says which field) or KIOSK_ERR_IO.
 */
int update_image_open(struct update_image *img, const char *path, enum update_reason *why);

/**
 * Verify an opened image: signer certificate chains to the root in @root_pem
 * (a PEM file), both valid at @now, signer is a P-256 leaf with digitalSignature
 * (and codeSigning when it lists extended key usages); ECDSA signature over
 * SHA-256(header || manifest); then parse the manifest and check that the
 * file size is exactly what its fields say.
 * @return KIOSK_OK (img->verified set), KIOSK_ERR_UPDATE, KIOSK_ERR_CONFIG (root
 * unreadable) or KIOSK_ERR_CRYPTO.
 */
int update_image_verify(struct update_image *img, const char *root_pem, time_t now,
			enum update_reason *why);

/** Close and clear; NULL-safe, idempotent. */
void update_image_free(struct update_image *img);

/**
 * Write an image to @out_path: @m as given (sizes and hashes not recomputed,
 * so tests can sign lying manifests), signed with the PEM key @key_pem whose
 * certificate is @cert_pem, then the bytes of @payload_paths[i] in order.
 * Written to a temporary file beside @out_path and renamed.
 * @why (may be NULL) gets a short English reason on failure.
 */
int update_image_write(const char *out_path, const struct update_manifest *m,
		       const char *const *payload_paths, const char *key_pem, const char *cert_pem,
		       char *why, size_t why_cap);

/**
 * Fill size and SHA-256 of each payload of @m from @payload_paths (streamed),
 * then update_image_write().
 */
int update_image_build(const char *out_path, struct update_manifest *m,
		       const char *const *payload_paths, const char *key_pem, const char *cert_pem,
		       char *why, size_t why_cap);

/** Stream @len bytes of @fd from @off into SHA-256; KIOSK_ERR_IO on short read. */
int update_hash_fd(int fd, uint64_t off, uint64_t len, uint8_t out[32]);

#endif /* UPDATE_IMAGE_H */
