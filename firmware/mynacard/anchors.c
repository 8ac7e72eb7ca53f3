/* SPDX-License-Identifier: MIT */
/*
 * Trust anchors: the card-CA public keys, one PEM file per key, named by the
 * key id in hex ("<32 hex>.pem"). Production boards refuse test-only keys
 * (mynacard.md §5.3: test ids start with '6') and an empty directory.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/rsa.h>

#include "kiosk/err.h"
#include "mnc_anchors.h"

#define KEY_ID_HEX (2 * MNC_KEY_ID_LEN)
#define TEST_ONLY_MARK "TEST-ONLY"
#define TEST_ID_LEAD '6'

struct anchor {
	uint8_t id[MNC_KEY_ID_LEN];
	struct mnc_rsa_pub key;
};

struct mnc_anchors {
	size_t count;
	struct anchor a[MNC_ANCHORS_MAX];
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

/* "<32 hex>.pem" -> key id; anything else is not an anchor file. */
static bool name_to_id(const char *name, uint8_t id[MNC_KEY_ID_LEN])
{
	if (strlen(name) != KEY_ID_HEX + 4 || strcmp(name + KEY_ID_HEX, ".pem") != 0) {
		return false;
	}
	for (size_t i = 0; i < MNC_KEY_ID_LEN; i++) {
		int hi = hexval(name[2 * i]);
		int lo = hexval(name[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			return false;
		}
		id[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/* Read a small regular file into @buf, NUL-terminated (mbedTLS wants that
 * for PEM). */
static int read_small_file(int dirfd, const char *name, char *buf, size_t cap, size_t *len)
{
	struct stat st;
	size_t got = 0;
	int fd;
	int rc = KIOSK_ERR_CONFIG;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		return KIOSK_ERR_CONFIG;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (size_t)st.st_size >= cap) {
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			goto out;
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	*len = got;
	rc = 0;
out:
	close(fd);
	return rc;
}

/* One anchor file: an RSA-2048 public key in PEM (a comment line before the
 * PEM block is fine: mbedTLS searches for the BEGIN line). */
static int load_one(int dirfd, const char *name, struct anchor *out, bool *test_only)
{
	char *text;
	size_t len = 0;
	mbedtls_pk_context pk;
	mbedtls_rsa_context *rsa;
	uint8_t n[MNC_RSA_BYTES];
	uint8_t e[MNC_RSA_E_MAX];
	int rc;

	text = calloc(1, MNC_ANCHOR_FILE_MAX);
	if (text == NULL) {
		return KIOSK_ERR_NO_MEMORY;
	}
	mbedtls_pk_init(&pk);
	rc = read_small_file(dirfd, name, text, MNC_ANCHOR_FILE_MAX, &len);
	if (rc != 0) {
		goto out;
	}
	*test_only = out->id[0] == TEST_ID_LEAD || strstr(text, TEST_ONLY_MARK) != NULL;
	rc = KIOSK_ERR_CONFIG;
	if (mbedtls_pk_parse_public_key(&pk, (const unsigned char *)text, len + 1) != 0 ||
	    mbedtls_pk_get_type(&pk) != MBEDTLS_PK_RSA ||
	    mbedtls_pk_get_bitlen(&pk) != 8 * MNC_RSA_BYTES) {
		goto out;
	}
	rsa = mbedtls_pk_rsa(pk);
	if (mbedtls_rsa_export_raw(rsa, n, sizeof(n), NULL, 0, NULL, 0, NULL, 0, e, sizeof(e)) !=
	    0) {
		goto out;
	}
	if (mnc_rsa_pub_set(&out->key, n, sizeof(n), e, sizeof(e)) != 0) {
		goto out;
	}
	rc = 0;
out:
	mbedtls_pk_free(&pk);
	free(text);
	return rc;
}

int mnc_anchors_load_dir(struct mnc_anchors **out, const char *dir, bool production)
{
	struct mnc_anchors *a = NULL;
	DIR *d = NULL;
	struct dirent *de;
	int rc;

	if (out == NULL || dir == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	*out = NULL;
	d = opendir(dir);
	if (d == NULL) {
		return KIOSK_ERR_ANCHORS_MISSING;
	}
	a = calloc(1, sizeof(*a));
	if (a == NULL) {
		rc = KIOSK_ERR_NO_MEMORY;
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		struct anchor cand;
		bool test_only = false;

		memset(&cand, 0, sizeof(cand));
		if (!name_to_id(de->d_name, cand.id)) {
			continue;
		}
		if (production && cand.id[0] == TEST_ID_LEAD) {
			rc = KIOSK_ERR_TEST_ANCHOR;
			goto out;
		}
		rc = load_one(dirfd(d), de->d_name, &cand, &test_only);
		if (rc != 0) {
			goto out;
		}
		if (production && test_only) {
			rc = KIOSK_ERR_TEST_ANCHOR;
			goto out;
		}
		/* Two files for one id ("AB.." and "ab..") would make the choice
		 * depend on directory order. */
		if (mnc_anchors_find(a, cand.id) != NULL || a->count >= MNC_ANCHORS_MAX) {
			rc = KIOSK_ERR_CONFIG;
			goto out;
		}
		a->a[a->count++] = cand;
	}
	if (production && a->count == 0) {
		rc = KIOSK_ERR_ANCHORS_MISSING;
		goto out;
	}
	*out = a;
	a = NULL;
	rc = 0;
out:
	if (d != NULL) {
		closedir(d);
	}
	mnc_anchors_free(a);
	return rc;
}

void mnc_anchors_free(struct mnc_anchors *a)
{
	if (a == NULL) {
		return;
	}
	mbedtls_platform_zeroize(a, sizeof(*a));
	free(a);
}

size_t mnc_anchors_count(const struct mnc_anchors *a)
{
	return a != NULL ? a->count : 0;
}

const struct mnc_rsa_pub *mnc_anchors_find(const struct mnc_anchors *a,
					   const uint8_t key_id[MNC_KEY_ID_LEN])
{
	if (a == NULL || key_id == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < a->count; i++) {
		/* All 16 bytes: the padding bytes are part of the id (§5.3). */
		if (memcmp(a->a[i].id, key_id, MNC_KEY_ID_LEN) == 0) {
			return &a->a[i].key;
		}
	}
	return NULL;
}
