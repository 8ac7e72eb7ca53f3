/* SPDX-License-Identifier: MIT */
/*
 * Provisioning a unit (kioskctl provision ...): its key pair made on the unit,
 * the CSR, the certificate the kiosk CA issued, and the trust anchors from a
 * signed anchor bundle (docs/anchor-bundle.md). Every refusal comes back as
 * KIOSK_ERR_REFUSED with a one-line reason in @why; no function ever prints
 * or copies the private key.
 */
#ifndef KIOSKCTL_PROVISION_H
#define KIOSKCTL_PROVISION_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PROVISION_KEY_FILE "kiosk.key.pem"
#define PROVISION_CSR_FILE "kiosk.csr.pem"
#define PROVISION_CERT_FILE "kiosk.crt.pem"
#define PROVISION_ANCHORS_DIR "anchors"
#define PROVISION_ID_MAX 63

#define BUNDLE_MAGIC "KIOSK-ANCHOR-BUNDLE 1\n"
#define BUNDLE_MANIFEST_MAGIC "kiosk-anchor-bundle 1\n"
#define BUNDLE_MAX (4u << 20)          /* whole container */
#define BUNDLE_SECTION_MAX (1u << 20)  /* one section */
#define BUNDLE_FILES_MAX 64
#define BUNDLE_NAME_MAX 64

/**
 * Write @len bytes to @path atomically: a temp file in the same folder, fsync,
 * rename over @path, fsync the folder. @return 0 or KIOSK_ERR_IO.
 */
int provision_write_atomic(const char *path, const void *data, size_t len, mode_t mode);

/** Generate the unit's P-256 key into @dir/kiosk.key.pem (0600, O_EXCL: an existing
 *  key is refused with KIOSK_ERR_INVALID_ARG). */
int provision_keygen(const char *dir, char *why, size_t why_cap);

/** Write @dir/kiosk.csr.pem: CN=@kiosk_id, O=Kiosk, OU=@board, SHA-256, signed by the unit key. */
int provision_csr(const char *dir, const char *kiosk_id, const char *board, char *why,
		  size_t why_cap);

/**
 * Check @cert_path (PEM) is for the unit key, chains to @ca_path and is valid
 * now, then install it as @dir/kiosk.crt.pem. @return 0; KIOSK_ERR_REFUSED
 * ("certificate is for another key", "expired", "not issued by the kiosk CA");
 * KIOSK_ERR_IO; KIOSK_ERR_INVALID_ARG (unparsable input).
 */
int provision_install_cert(const char *dir, const char *cert_path, const char *ca_path,
			   char *why, size_t why_cap);

/** True for the file names a bundle may carry (a whitelist: no traversal possible). */
int provision_bundle_name_ok(const char *name);

/** One file for a bundle: its name inside the bundle and where to read it. */
struct provision_bundle_input {
	char name[BUNDLE_NAME_MAX];
	const char *path;
};

/** Build a signed anchor bundle (release-machine side). */
int provision_bundle_build(const char *key_path, const char *cert_path, const char *out_path,
			   const struct provision_bundle_input *in, size_t n, char *why,
			   size_t why_cap);

/**
 * Verify @bundle_path against the pinned root @root_path (signature, chain,
 * every file's size and SHA-256, the set of files) before writing anything,
 * then install the files into @dir/anchors atomically.
 * @return 0; KIOSK_ERR_REFUSED (does not verify); KIOSK_ERR_IO.
 */
int provision_install_anchors(const char *dir, const char *bundle_path, const char *root_path,
			      char *why, size_t why_cap);

#endif /* KIOSKCTL_PROVISION_H */
