/* SPDX-License-Identifier: MIT */
/*
 * Holder binding: a certificate is printed only for the person whose card was
 * read. The card writes "family U+3000 given"; the SHC has family/given fields.
 */
#include <string.h>

#include <mbedtls/platform_util.h>

#include "kiosk/certificate.h"
#include "kiosk/err.h"

#include "cert_internal.h"

#define NAME_BUF (2 * CERT_NAME_PART_MAX + 8)

/* Append @s to @out, turning each run of U+3000 / ASCII space into one ' ' and
 * dropping leading/trailing ones. @return false on overflow. */
static bool norm_append(char *out, size_t cap, size_t *o, const char *s, bool *pending)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		if (*p == ' ') {
			*pending = *o > 0;
			p++;
			continue;
		}
		if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) {
			*pending = *o > 0;
			p += 3;
			continue;
		}
		if (*pending) {
			if (*o + 1 >= cap) {
				return false;
			}
			out[(*o)++] = ' ';
			*pending = false;
		}
		if (*o + 1 >= cap) {
			return false;
		}
		out[(*o)++] = (char)*p++;
	}
	out[*o] = '\0';
	return true;
}

int cert_check_holder(const struct kiosk_certificate *c, const char *card_name_utf8,
		      const char *card_birth_yyyymmdd)
{
	char card[NAME_BUF];
	char cert[NAME_BUF];
	size_t oc = 0;
	size_t ot = 0;
	bool pend = false;
	int rc = KIOSK_ERR_CERT_HOLDER_MISMATCH;

	if (c == NULL || card_name_utf8 == NULL || card_birth_yyyymmdd == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	card[0] = '\0';
	cert[0] = '\0';
	if (!cert_date_compact_valid(c->birth_date) ||
	    strcmp(c->birth_date, card_birth_yyyymmdd) != 0) {
		goto out;
	}
	if (c->vds.present && strcmp(c->vds.birth_date, card_birth_yyyymmdd) != 0) {
		goto out;
	}
	if (c->family[0] == '\0') {
		goto out;
	}
	if (!norm_append(card, sizeof(card), &oc, card_name_utf8, &pend)) {
		goto out;
	}
	pend = false;
	if (!norm_append(cert, sizeof(cert), &ot, c->family, &pend)) {
		goto out;
	}
	pend = true; /* the family/given boundary is a separator (when there is a given name) */
	if (!norm_append(cert, sizeof(cert), &ot, c->given, &pend)) {
		goto out;
	}
	if (oc != ot || memcmp(card, cert, oc) != 0) {
		goto out;
	}
	/* Overseas: the seal's romaji name must be the SHC's romaji name. */
	if (c->vds.present && c->romaji_family[0] != '\0') {
		oc = 0;
		ot = 0;
		pend = false;
		if (!norm_append(card, sizeof(card), &oc, c->vds.name, &pend)) {
			goto out;
		}
		pend = false;
		if (!norm_append(cert, sizeof(cert), &ot, c->romaji_family, &pend)) {
			goto out;
		}
		pend = true;
		if (!norm_append(cert, sizeof(cert), &ot, c->romaji_given, &pend) || oc != ot ||
		    memcmp(card, cert, oc) != 0) {
			goto out;
		}
	}
	rc = 0;
out:
	mbedtls_platform_zeroize(card, sizeof(card));
	mbedtls_platform_zeroize(cert, sizeof(cert));
	return rc;
}
