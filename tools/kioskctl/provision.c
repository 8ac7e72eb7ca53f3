/* SPDX-License-Identifier: MIT */
/*
 * Unit identity: key pair, CSR and certificate. The private key is generated
 * here, written once with O_EXCL and mode 0600, and only ever read back into
 * mbedTLS; its PEM text lives in buffers wiped right after use.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/x509_crt.h>
#include <mbedtls/x509_csr.h>

#include "kiosk/io.h"
#include "kiosk/err.h"
#include "provision.h"
#include "provision_util.h"

#define KEY_PEM_MAX 1024
#define CSR_PEM_MAX 4096
#define CERT_PEM_MAX 8192

void provision_why(char *why, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || cap == 0) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(why, cap, fmt, ap);
	va_end(ap);
}

int provision_rng_setup(mbedtls_entropy_context *e, mbedtls_ctr_drbg_context *d)
{
	static const char pers[] = "kioskctl-provision";

	mbedtls_entropy_init(e);
	mbedtls_ctr_drbg_init(d);
	if (mbedtls_ctr_drbg_seed(d, mbedtls_entropy_func, e, (const unsigned char *)pers,
				  sizeof(pers) - 1) != 0) {
		return KIOSK_ERR_CRYPTO;
	}
	return KIOSK_OK;
}

static int write_all(int fd, const void *data, size_t len)
{
	return kiosk_write_all(fd, data, len);
}

int provision_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = KIOSK_OK;

	if (fd < 0) {
		return KIOSK_ERR_IO;
	}
	if (fsync(fd) != 0) {
		rc = KIOSK_ERR_IO;
	}
	close(fd);
	return rc;
}

int provision_dirname(const char *path, char *out, size_t cap)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (slash == NULL) {
		return snprintf(out, cap, ".") < (int)cap ? KIOSK_OK : KIOSK_ERR_BUFFER_TOO_SMALL;
	}
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= cap) {
		return KIOSK_ERR_BUFFER_TOO_SMALL;
	}
	memcpy(out, path, n);
	out[n] = '\0';
	return KIOSK_OK;
}

int provision_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	char tmp[PATH_MAX];
	char dir[PATH_MAX];
	int fd;
	int rc;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path) >= (int)sizeof(tmp) ||
	    provision_dirname(path, dir, sizeof(dir)) != 0) {
		return KIOSK_ERR_IO;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		return KIOSK_ERR_IO;
	}
	rc = fchmod(fd, mode) == 0 ? KIOSK_OK : KIOSK_ERR_IO;
	if (rc == 0) {
		rc = write_all(fd, data, len);
	}
	if (rc == 0 && fsync(fd) != 0) {
		rc = KIOSK_ERR_IO;
	}
	if (close(fd) != 0 && rc == 0) {
		rc = KIOSK_ERR_IO;
	}
	if (rc == 0 && rename(tmp, path) != 0) {
		rc = KIOSK_ERR_IO;
	}
	if (rc != 0) {
		unlink(tmp);
		return rc;
	}
	return provision_fsync_dir(dir);
}

int provision_path(char *out, size_t cap, const char *dir, const char *name)
{
	if (snprintf(out, cap, "%s/%s", dir, name) >= (int)cap) {
		return KIOSK_ERR_BUFFER_TOO_SMALL;
	}
	return KIOSK_OK;
}

static int load_unit_key(mbedtls_pk_context *pk, const char *dir, char *why, size_t why_cap)
{
	char path[PATH_MAX];

	mbedtls_pk_init(pk);
	if (provision_path(path, sizeof(path), dir, PROVISION_KEY_FILE) != 0) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (mbedtls_pk_parse_keyfile(pk, path, NULL) != 0) {
		provision_why(why, why_cap, "no usable unit key in %s (run provision keygen)", dir);
		return KIOSK_ERR_INVALID_ARG;
	}
	if (!provision_pk_is_p256(pk)) {
		provision_why(why, why_cap, "the unit key is not ECDSA P-256");
		return KIOSK_ERR_INVALID_ARG;
	}
	return KIOSK_OK;
}

int provision_pk_is_p256(const mbedtls_pk_context *pk)
{
	return mbedtls_pk_get_type(pk) == MBEDTLS_PK_ECKEY &&
	       mbedtls_pk_ec(*pk)->grp.id == MBEDTLS_ECP_DP_SECP256R1;
}

int provision_keygen(const char *dir, char *why, size_t why_cap)
{
	mbedtls_entropy_context ent;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_pk_context pk;
	unsigned char pem[KEY_PEM_MAX];
	char path[PATH_MAX];
	int fd = -1;
	int rc;

	mbedtls_pk_init(&pk);
	rc = provision_rng_setup(&ent, &drbg);
	if (rc != 0) {
		provision_why(why, why_cap, "random generator failed");
		goto out;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		provision_why(why, why_cap, "cannot create %s", dir);
		rc = KIOSK_ERR_IO;
		goto out;
	}
	rc = provision_path(path, sizeof(path), dir, PROVISION_KEY_FILE);
	if (rc != 0) {
		goto out;
	}
	/* O_EXCL: a unit keeps its identity; replacing a key is a deliberate removal first. */
	fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0) {
		provision_why(why, why_cap, errno == EEXIST ?
			      "%s already exists: refusing to overwrite the unit key" :
			      "cannot create %s", path);
		rc = errno == EEXIST ? KIOSK_ERR_INVALID_ARG : KIOSK_ERR_IO;
		goto out;
	}
	rc = KIOSK_ERR_CRYPTO;
	if (mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) != 0 ||
	    mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(pk),
				mbedtls_ctr_drbg_random, &drbg) != 0 ||
	    mbedtls_pk_write_key_pem(&pk, pem, sizeof(pem)) != 0) {
		provision_why(why, why_cap, "key generation failed");
		goto out;
	}
	rc = write_all(fd, pem, strlen((char *)pem));
	if (rc == 0 && fsync(fd) != 0) {
		rc = KIOSK_ERR_IO;
	}
	if (close(fd) != 0 && rc == 0) {
		rc = KIOSK_ERR_IO;
	}
	fd = -1;
	if (rc != 0) {
		provision_why(why, why_cap, "cannot write %s", path);
		unlink(path);
		goto out;
	}
	rc = provision_fsync_dir(dir);
out:
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	mbedtls_platform_zeroize(pem, sizeof(pem));
	mbedtls_pk_free(&pk);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&ent);
	return rc;
}

/* Names go into an X.509 DN string: keep them to characters that need no escaping. */
static int dn_value_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > PROVISION_ID_MAX) {
		return 0;
	}
	for (; *s != '\0'; s++) {
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.')) {
			return 0;
		}
	}
	return 1;
}

int provision_csr(const char *dir, const char *kiosk_id, const char *board, char *why,
		  size_t why_cap)
{
	mbedtls_entropy_context ent;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_pk_context pk;
	mbedtls_x509write_csr csr;
	unsigned char pem[CSR_PEM_MAX];
	char subject[256];
	char path[PATH_MAX];
	int rc;

	mbedtls_x509write_csr_init(&csr);
	mbedtls_pk_init(&pk);
	rc = provision_rng_setup(&ent, &drbg);
	if (rc != 0) {
		goto out;
	}
	if (!dn_value_ok(kiosk_id) || !dn_value_ok(board)) {
		provision_why(why, why_cap, "kiosk id and board name: 1-63 of A-Z a-z 0-9 . _ -");
		rc = KIOSK_ERR_INVALID_ARG;
		goto out;
	}
	rc = load_unit_key(&pk, dir, why, why_cap);
	if (rc != 0) {
		goto out;
	}
	snprintf(subject, sizeof(subject), "CN=%s,OU=%s,O=Kiosk", kiosk_id, board);
	mbedtls_x509write_csr_set_md_alg(&csr, MBEDTLS_MD_SHA256);
	mbedtls_x509write_csr_set_key(&csr, &pk);
	rc = KIOSK_ERR_CRYPTO;
	if (mbedtls_x509write_csr_set_subject_name(&csr, subject) != 0 ||
	    mbedtls_x509write_csr_set_key_usage(&csr, MBEDTLS_X509_KU_DIGITAL_SIGNATURE) != 0 ||
	    mbedtls_x509write_csr_pem(&csr, pem, sizeof(pem), mbedtls_ctr_drbg_random,
				      &drbg) != 0) {
		provision_why(why, why_cap, "cannot build the CSR");
		goto out;
	}
	rc = provision_path(path, sizeof(path), dir, PROVISION_CSR_FILE);
	if (rc == 0) {
		rc = provision_write_atomic(path, pem, strlen((char *)pem), 0644);
	}
	if (rc != 0) {
		provision_why(why, why_cap, "cannot write the CSR in %s", dir);
	}
out:
	mbedtls_x509write_csr_free(&csr);
	mbedtls_pk_free(&pk);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&ent);
	return rc;
}

int provision_same_public_key(mbedtls_pk_context *a, mbedtls_pk_context *b)
{
	unsigned char da[256];
	unsigned char db[256];
	int la = mbedtls_pk_write_pubkey_der(a, da, sizeof(da));
	int lb = mbedtls_pk_write_pubkey_der(b, db, sizeof(db));

	/* DER is written at the end of the buffer. */
	return la > 0 && la == lb &&
	       memcmp(da + sizeof(da) - (size_t)la, db + sizeof(db) - (size_t)lb, (size_t)la) == 0;
}

int provision_install_cert(const char *dir, const char *cert_path, const char *ca_path,
			   char *why, size_t why_cap)
{
	mbedtls_pk_context pk;
	mbedtls_x509_crt crt;
	mbedtls_x509_crt ca;
	unsigned char pem[CERT_PEM_MAX];
	char path[PATH_MAX];
	size_t olen = 0;
	uint32_t flags = 0;
	int rc;

	mbedtls_x509_crt_init(&crt);
	mbedtls_x509_crt_init(&ca);
	rc = load_unit_key(&pk, dir, why, why_cap);
	if (rc != 0) {
		goto out;
	}
	rc = KIOSK_ERR_INVALID_ARG;
	if (mbedtls_x509_crt_parse_file(&crt, cert_path) != 0) {
		provision_why(why, why_cap, "%s is not a certificate", cert_path);
		goto out;
	}
	if (mbedtls_x509_crt_parse_file(&ca, ca_path) != 0) {
		provision_why(why, why_cap, "%s is not a CA certificate", ca_path);
		goto out;
	}
	rc = KIOSK_ERR_REFUSED;
	if (!provision_same_public_key(&crt.pk, &pk)) {
		provision_why(why, why_cap, "certificate is for another key");
		goto out;
	}
	/* Only the first certificate of the file is the unit's; the chain is the pinned CA. */
	if (mbedtls_x509_crt_verify(&crt, &ca, NULL, NULL, &flags, NULL, NULL) != 0) {
		if (flags & ~(uint32_t)(MBEDTLS_X509_BADCERT_EXPIRED |
					MBEDTLS_X509_BADCERT_FUTURE)) {
			provision_why(why, why_cap, "not issued by the kiosk CA");
		} else if (flags & MBEDTLS_X509_BADCERT_EXPIRED) {
			provision_why(why, why_cap, "expired");
		} else {
			provision_why(why, why_cap, "not yet valid (check the clock)");
		}
		goto out;
	}
	/* The certificate is the kiosk's TLS client identity: a key usage or extended
	 * key usage that forbids that would only fail later, at the center. */
	if (mbedtls_x509_crt_check_key_usage(&crt, MBEDTLS_X509_KU_DIGITAL_SIGNATURE) != 0 ||
	    mbedtls_x509_crt_check_extended_key_usage(&crt, MBEDTLS_OID_CLIENT_AUTH,
						      MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH)) != 0) {
		provision_why(why, why_cap, "not a TLS client certificate (key usage)");
		goto out;
	}
	rc = KIOSK_ERR_CRYPTO;
	if (mbedtls_pem_write_buffer("-----BEGIN CERTIFICATE-----\n", "-----END CERTIFICATE-----\n",
				     crt.raw.p, crt.raw.len, pem, sizeof(pem), &olen) != 0 ||
	    olen < 1) {
		provision_why(why, why_cap, "certificate too large");
		goto out;
	}
	rc = provision_path(path, sizeof(path), dir, PROVISION_CERT_FILE);
	if (rc == 0) {
		rc = provision_write_atomic(path, pem, olen - 1, 0644);
	}
	if (rc != 0) {
		provision_why(why, why_cap, "cannot write %s", path);
	}
out:
	mbedtls_pk_free(&pk);
	mbedtls_x509_crt_free(&crt);
	mbedtls_x509_crt_free(&ca);
	return rc;
}
