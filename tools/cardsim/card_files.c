/* SPDX-License-Identifier: MIT */
/*
 * Building the EFs of the kenhojo AP exactly as mynacard.md 4 and 5 lay them
 * out, signed with the TEST hierarchy, then applying the tamper faults after
 * signing so that exactly one check of the firmware's chain fails.
 */
#include <stdlib.h>
#include <string.h>

#include <mbedtls/platform_util.h>

#include "card_internal.h"
#include "kiosk/err.h"

#define EF0001_LEN 17
#define EF0003_LEN 336
#define EF0004_LEN 568
#define EF0004_BODY_LEN 297
#define EF0007_LEN 536
#define EF0008_LEN 16
#define EF0005_DF43_LEN 128

size_t cardsim_ber_len(uint8_t *p, size_t len)
{
	if (len < 0x80) {
		p[0] = (uint8_t)len;
		return 1;
	}
	if (len <= 0xFF) {
		p[0] = 0x81;
		p[1] = (uint8_t)len;
		return 2;
	}
	p[0] = 0x82;
	p[1] = (uint8_t)(len >> 8);
	p[2] = (uint8_t)len;
	return 3;
}

static size_t ber_len_size(size_t len)
{
	return len < 0x80 ? 1 : len <= 0xFF ? 2 : 3;
}

/* Two-byte tag + BER length + value; @return bytes written. */
static size_t put_tlv(uint8_t *p, uint8_t t1, uint8_t t2, const void *v, size_t len)
{
	size_t n = 0;

	p[n++] = t1;
	p[n++] = t2;
	n += cardsim_ber_len(p + n, len);
	memcpy(p + n, v, len);
	return n + len;
}

static void ef_set(struct cardsim_ef *ef, uint16_t fid, enum cardsim_ef_kind kind,
		   bool needs_pin, uint8_t *data, size_t len)
{
	ef->fid = fid;
	ef->kind = kind;
	ef->needs_pin = needs_pin;
	ef->data = data;
	ef->len = len;
}

void cardsim_files_free(struct cardsim_card *c)
{
	for (size_t i = 0; i < c->ef_count; i++) {
		if (c->ef[i].data != NULL) {
			mbedtls_platform_zeroize(c->ef[i].data, c->ef[i].len);
			free(c->ef[i].data);
		}
	}
	memset(c->ef, 0, sizeof(c->ef));
	c->ef_count = 0;
}

struct cardsim_ef *cardsim_file_find(struct cardsim_card *c, uint16_t fid)
{
	for (size_t i = 0; i < c->ef_count; i++) {
		if (c->ef[i].fid == fid) {
			return &c->ef[i];
		}
	}
	return NULL;
}

static uint8_t *build_my_number(const struct cardsim_persona *p)
{
	uint8_t *f = malloc(EF0001_LEN);

	if (f == NULL) {
		return NULL;
	}
	f[0] = 0xFF;
	f[1] = 0x10;
	f[2] = 0x0C;
	memcpy(f + 3, p->my_number, 12);
	f[15] = 0xFF; /* filler: part of what DF31 hashes */
	f[16] = 0xFF;
	return f;
}

/* EF 0002; @hash_from/@hash_len: the span DF32 covers (DF22 tag .. end of DF25). */
static uint8_t *build_basic4(const struct cardsim_persona *p, size_t *out_len, size_t *hash_from,
			     size_t *hash_len, size_t *sex_off)
{
	size_t name_len = strlen(p->name);
	size_t addr_len = strlen(p->address);
	size_t t22 = 2 + ber_len_size(name_len) + name_len;
	size_t t23 = 2 + ber_len_size(addr_len) + addr_len;
	size_t t24 = 2 + 1 + 8;
	size_t t25 = 2 + 1 + 1;
	size_t content = (2 + 1 + 8) + t22 + t23 + t24 + t25;
	size_t hdr = 2 + ber_len_size(content);
	size_t total = hdr + content;
	size_t off22 = hdr + 11;
	size_t off23 = off22 + t22;
	size_t off24 = off23 + t23;
	size_t off25 = off24 + t24;
	uint8_t offs[8] = {
		(uint8_t)(off22 >> 8), (uint8_t)off22, (uint8_t)(off23 >> 8), (uint8_t)off23,
		(uint8_t)(off24 >> 8), (uint8_t)off24, (uint8_t)(off25 >> 8), (uint8_t)off25,
	};
	uint8_t *f = malloc(total);
	size_t n = 0;

	if (f == NULL) {
		return NULL;
	}
	f[n++] = 0xFF;
	f[n++] = 0x20;
	n += cardsim_ber_len(f + n, content);
	n += put_tlv(f + n, 0xDF, 0x21, offs, sizeof(offs));
	n += put_tlv(f + n, 0xDF, 0x22, p->name, name_len);
	n += put_tlv(f + n, 0xDF, 0x23, p->address, addr_len);
	n += put_tlv(f + n, 0xDF, 0x24, p->birth_date, 8);
	n += put_tlv(f + n, 0xDF, 0x25, &p->sex, 1);
	*out_len = n;
	*hash_from = off22;
	*hash_len = n - off22;
	*sex_off = n - 1;
	return f;
}

static int build_record(struct cardsim_card *c, const uint8_t *ef1, const uint8_t *b4_span,
			size_t b4_span_len, uint8_t **out)
{
	uint8_t *f = malloc(EF0003_LEN);
	uint8_t h[32];
	size_t n = 0;
	int rc;

	if (f == NULL) {
		return KIOSK_ERR_NO_MEMORY;
	}
	/* FF 30 82 01 4B: 35 + 35 + 261 = 331 bytes of content, 336 in all. */
	f[n++] = 0xFF;
	f[n++] = 0x30;
	n += cardsim_ber_len(f + n, EF0003_LEN - 5);
	cardsim_sha256(ef1, EF0001_LEN, h);
	n += put_tlv(f + n, 0xDF, 0x31, h, sizeof(h));
	cardsim_sha256(b4_span, b4_span_len, h);
	n += put_tlv(f + n, 0xDF, 0x32, h, sizeof(h));
	f[n++] = 0xDF;
	f[n++] = 0x33;
	n += cardsim_ber_len(f + n, CARDSIM_RSA_LEN);
	/* Check B: the municipality key signs the 70 bytes DF31..DF32 as written. */
	rc = cardsim_sign_sha256(&c->pki, &c->pki.municipality, f + 5, 70, f + n);
	if (rc != 0) {
		free(f);
		return rc;
	}
	*out = f;
	return 0;
}

static int build_cert(struct cardsim_card *c, uint8_t **out)
{
	uint8_t *f = malloc(EF0004_LEN);
	mbedtls_pk_context *issuer = c->faults.unknown_ca ? &c->pki.unknown_ca : &c->pki.ca;
	const uint8_t *issuer_id = c->faults.unknown_ca ? cardsim_unknown_ca_key_id :
							   cardsim_ca_key_id;
	uint8_t *body;
	size_t n = 0;
	int rc;

	if (f == NULL) {
		return KIOSK_ERR_NO_MEMORY;
	}
	f[n++] = 0x7F;
	f[n++] = 0x21;
	n += cardsim_ber_len(f + n, EF0004_LEN - 5); /* 82 02 33 */
	f[n++] = 0x5F;
	f[n++] = 0x4E;
	n += cardsim_ber_len(f + n, EF0004_BODY_LEN); /* 82 01 29 */
	body = f + n;
	memcpy(f + n, issuer_id, CARDSIM_KEY_ID_LEN);
	n += CARDSIM_KEY_ID_LEN;
	memcpy(f + n, c->pki.municipality_key_id, CARDSIM_KEY_ID_LEN);
	n += CARDSIM_KEY_ID_LEN;
	memcpy(f + n, "\x90\x03\x01\x00\x01\x91\x82\x01\x00", 9);
	n += 9;
	rc = cardsim_modulus(&c->pki.municipality, f + n);
	if (rc != 0) {
		goto fail;
	}
	n += CARDSIM_RSA_LEN;
	f[n++] = 0x5F;
	f[n++] = 0x37;
	n += cardsim_ber_len(f + n, CARDSIM_RSA_LEN);
	/* Check A: the CA signs the 297 body bytes, without the 5F 4E header. */
	rc = cardsim_sign_sha256(&c->pki, issuer, body, EF0004_BODY_LEN, f + n);
	if (rc != 0) {
		goto fail;
	}
	if (c->faults.tamper == TAMPER_CERT) {
		body[32 + 9 + 100] ^= 0x01; /* a modulus byte, after the CA signed */
	}
	*out = f;
	return 0;
fail:
	free(f);
	return rc;
}

static int build_ap_info(struct cardsim_card *c, uint8_t **out, size_t *out_len)
{
	uint8_t df43[EF0005_DF43_LEN];
	uint8_t mod[CARDSIM_RSA_LEN];
	size_t content = 7 + (2 + 1 + CARDSIM_KEY_ID_LEN) + (2 + 2 + EF0005_DF43_LEN);
	uint8_t *f = malloc(2 + ber_len_size(content) + content);
	size_t n = 0;
	int rc;

	if (f == NULL) {
		return KIOSK_ERR_NO_MEMORY;
	}
	/* DF43's purpose is unknown: 32 bytes then 96 FF; any stable 32 bytes do. */
	rc = cardsim_modulus(&c->pki.card, mod);
	if (rc != 0) {
		free(f);
		return rc;
	}
	cardsim_sha256(mod, sizeof(mod), df43);
	memset(df43 + 32, 0xFF, sizeof(df43) - 32);
	f[n++] = 0xFF;
	f[n++] = 0x40;
	n += cardsim_ber_len(f + n, content);
	n += put_tlv(f + n, 0xDF, 0x41, "\x01\x03\x0E\x01", 4);
	n += put_tlv(f + n, 0xDF, 0x42, cardsim_ap_key_id, CARDSIM_KEY_ID_LEN);
	n += put_tlv(f + n, 0xDF, 0x43, df43, sizeof(df43));
	*out = f;
	*out_len = n;
	return 0;
}

/* EF 0006: the secure-messaging key (A1 { 90, 91 }). The model has no secure
 * messaging, so it carries the card key's public half as a stand-in. */
static int build_sm_key(struct cardsim_card *c, uint8_t **out, size_t *out_len)
{
	const size_t content = 5 + 4 + CARDSIM_RSA_LEN;
	uint8_t *f = malloc(1 + 3 + content);
	size_t n = 0;
	int rc;

	if (f == NULL) {
		return KIOSK_ERR_NO_MEMORY;
	}
	f[n++] = 0xA1;
	n += cardsim_ber_len(f + n, content);
	memcpy(f + n, "\x90\x03\x01\x00\x01\x91\x82\x01\x00", 9);
	n += 9;
	rc = cardsim_modulus(&c->pki.card, f + n);
	if (rc != 0) {
		free(f);
		return rc;
	}
	*out = f;
	*out_len = n + CARDSIM_RSA_LEN;
	return 0;
}

static int build_signed_key(struct cardsim_card *c, uint8_t **out)
{
	uint8_t *f = malloc(EF0007_LEN);
	uint8_t *df51;
	size_t n = 0;
	int rc;

	if (f == NULL) {
		return KIOSK_ERR_NO_MEMORY;
	}
	/* FF 50 82 02 13: DF51 (5 + 265) + DF52 (5 + 256) = 531, 536 in all. */
	f[n++] = 0xFF;
	f[n++] = 0x50;
	n += cardsim_ber_len(f + n, EF0007_LEN - 5);
	df51 = f + n;
	f[n++] = 0xDF;
	f[n++] = 0x51;
	n += cardsim_ber_len(f + n, 9 + CARDSIM_RSA_LEN);
	memcpy(f + n, "\x90\x03\x01\x00\x01\x91\x82\x01\x00", 9);
	n += 9;
	rc = cardsim_modulus(&c->pki.card, f + n);
	if (rc != 0) {
		goto fail;
	}
	n += CARDSIM_RSA_LEN;
	f[n++] = 0xDF;
	f[n++] = 0x52;
	n += cardsim_ber_len(f + n, CARDSIM_RSA_LEN);
	/* Check E: the municipality key signs the whole DF51 TLV incl. its header. */
	rc = cardsim_sign_sha256(&c->pki, &c->pki.municipality, df51, (size_t)(f + n - 5 - df51),
				 f + n);
	if (rc != 0) {
		goto fail;
	}
	*out = f;
	return 0;
fail:
	free(f);
	return rc;
}

static void tamper_my_number(uint8_t *ef1)
{
	char d[13];

	/* Another valid My Number: only the DF31 digest can tell. */
	memcpy(d, ef1 + 3, 12);
	d[12] = '\0';
	d[0] = (char)('0' + (d[0] - '0' + 1) % 10);
	d[11] = (char)('0' + cardsim_my_number_check_digit(d));
	memcpy(ef1 + 3, d, 12);
}

int cardsim_files_build(struct cardsim_card *c)
{
	const struct cardsim_persona *p = &c->persona;
	uint8_t *ef1 = NULL, *ef2 = NULL, *ef3 = NULL, *ef4 = NULL, *ef5 = NULL, *ef6 = NULL;
	uint8_t *ef7 = NULL, *ef8 = NULL;
	size_t ef2_len = 0, ef5_len = 0, ef6_len = 0, b4_from = 0, b4_len = 0, sex_off = 0;
	int rc;

	ef1 = build_my_number(p);
	ef2 = build_basic4(p, &ef2_len, &b4_from, &b4_len, &sex_off);
	ef8 = malloc(EF0008_LEN);
	if (ef1 == NULL || ef2 == NULL || ef8 == NULL) {
		rc = KIOSK_ERR_NO_MEMORY;
		goto fail;
	}
	memset(ef8, 0xFF, EF0008_LEN);
	rc = build_record(c, ef1, ef2 + b4_from, b4_len, &ef3);
	if (rc == 0) {
		rc = build_cert(c, &ef4);
	}
	if (rc == 0) {
		rc = build_ap_info(c, &ef5, &ef5_len);
	}
	if (rc == 0) {
		rc = build_sm_key(c, &ef6, &ef6_len);
	}
	if (rc == 0) {
		rc = build_signed_key(c, &ef7);
	}
	if (rc != 0) {
		goto fail;
	}

	switch (c->faults.tamper) {
	case TAMPER_MY_NUMBER:
		tamper_my_number(ef1);
		break;
	case TAMPER_BASIC4:
		ef2[sex_off] = ef2[sex_off] == '1' ? '2' : '1';
		break;
	case TAMPER_RECORD:
		ef3[5 + 3 + 7] ^= 0x80; /* inside DF31's digest */
		break;
	case TAMPER_CERT: /* done inside build_cert, after the CA signed */
	case TAMPER_NONE:
		break;
	}

	cardsim_files_free(c);
	ef_set(&c->ef[0], FID_MY_NUMBER, EF_BINARY, true, ef1, EF0001_LEN);
	ef_set(&c->ef[1], FID_BASIC4, EF_BINARY, true, ef2, ef2_len);
	ef_set(&c->ef[2], FID_RECORD, EF_BINARY, true, ef3, EF0003_LEN);
	ef_set(&c->ef[3], FID_CERT, EF_BINARY, false, ef4, EF0004_LEN);
	ef_set(&c->ef[4], FID_AP_INFO, EF_BINARY, false, ef5, ef5_len);
	ef_set(&c->ef[5], FID_SM_KEY, EF_BINARY, true, ef6, ef6_len);
	ef_set(&c->ef[6], FID_SIGNED_KEY, EF_BINARY, true, ef7, EF0007_LEN);
	ef_set(&c->ef[7], FID_UNKNOWN_08, EF_BINARY, false, ef8, EF0008_LEN);
	ef_set(&c->ef[8], FID_PIN, EF_KEY_REF, false, NULL, 0);
	ef_set(&c->ef[9], FID_BLOCKED_KEY, EF_KEY_REF, false, NULL, 0);
	ef_set(&c->ef[10], FID_CODE_A, EF_KEY_REF, false, NULL, 0);
	ef_set(&c->ef[11], FID_CODE_B, EF_KEY_REF, false, NULL, 0);
	c->ef_count = 12;
	return 0;
fail:
	free(ef1);
	if (ef2 != NULL) {
		mbedtls_platform_zeroize(ef2, ef2_len);
	}
	free(ef2);
	free(ef3);
	free(ef4);
	free(ef5);
	free(ef6);
	free(ef7);
	free(ef8);
	return rc;
}
