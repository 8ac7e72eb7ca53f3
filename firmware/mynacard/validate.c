/* SPDX-License-Identifier: MIT */
/*
 * Pure validators for what the resident types and what the card holds.
 * None of them copies or keeps its input.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kiosk/mynacard.h"

static bool all_ascii_digits(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return false;
		}
	}
	return true;
}

bool mnc_pin_is_valid(const char *pin, size_t len)
{
	/* Checked before anything is sent, so a typo never costs a try. */
	return pin != NULL && len == 4 && all_ascii_digits(pin, len);
}

bool mnc_my_number_is_valid(const char *digits, size_t len)
{
	unsigned sum = 0;
	unsigned rem;
	unsigned check;

	if (digits == NULL || len != 12 || !all_ascii_digits(digits, len)) {
		return false;
	}
	/* P_n: the n-th digit leftwards from the one before the check digit;
	 * Q_n = n + 1 (n <= 6), n - 5 (n >= 7). Check = 11 - (sum mod 11), and
	 * 0 when the remainder is 0 or 1. */
	for (unsigned n = 1; n <= 11; n++) {
		unsigned p = (unsigned)(digits[11 - n] - '0');
		unsigned q = n <= 6 ? n + 1 : n - 5;

		sum += p * q;
	}
	rem = sum % 11;
	check = rem <= 1 ? 0 : 11 - rem;
	return (unsigned)(digits[11] - '0') == check;
}

static unsigned dec(const char *s, size_t n)
{
	unsigned v = 0;

	for (size_t i = 0; i < n; i++) {
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	return v;
}

bool mnc_date_is_valid(const char *yyyymmdd, size_t len)
{
	static const unsigned char mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned y, m, d, dim;
	bool leap;

	if (yyyymmdd == NULL || len != 8 || !all_ascii_digits(yyyymmdd, len)) {
		return false;
	}
	y = dec(yyyymmdd, 4);
	m = dec(yyyymmdd + 4, 2);
	d = dec(yyyymmdd + 6, 2);
	if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1) {
		return false;
	}
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	dim = mdays[m - 1] + ((m == 2 && leap) ? 1u : 0u);
	return d <= dim;
}

bool mnc_utf8_is_valid(const uint8_t *s, size_t len)
{
	size_t i = 0;

	if (s == NULL) {
		return len == 0;
	}
	while (i < len) {
		uint8_t b = s[i];
		uint32_t cp;
		size_t n;
		uint32_t min;

		if (b < 0x80) {
			/* NUL would end the C string early; C0 controls have no place
			 * in a name or an address. */
			if (b < 0x20) {
				return false;
			}
			i++;
			continue;
		}
		if (b >= 0xC2 && b <= 0xDF) {
			n = 1;
			cp = b & 0x1Fu;
			min = 0x80;
		} else if (b >= 0xE0 && b <= 0xEF) {
			n = 2;
			cp = b & 0x0Fu;
			min = 0x800;
		} else if (b >= 0xF0 && b <= 0xF4) {
			n = 3;
			cp = b & 0x07u;
			min = 0x10000;
		} else {
			return false; /* continuation byte, C0/C1 overlong lead, F5+ */
		}
		if (n > len - i - 1) {
			return false; /* truncated sequence */
		}
		for (size_t k = 1; k <= n; k++) {
			uint8_t c = s[i + k];

			if ((c & 0xC0) != 0x80) {
				return false;
			}
			cp = (cp << 6) | (c & 0x3Fu);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
			return false; /* overlong, beyond Unicode, or a surrogate */
		}
		i += n + 1;
	}
	return true;
}
