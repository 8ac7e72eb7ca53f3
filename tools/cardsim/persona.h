/* SPDX-License-Identifier: MIT */
/*
 * Persona: the invented card holder a simulated card is built from, read from
 * tools/cardsim/personas/<id>.json and validated strictly. Error messages name
 * fields, never values.
 */
#ifndef CARDSIM_PERSONA_H
#define CARDSIM_PERSONA_H

#include <stdbool.h>
#include <stddef.h>

#define CARDSIM_ID_MAX 32        /* [a-z0-9_-]{1,32}: used in key file names */
#define CARDSIM_NAME_MAX 255     /* UTF-8 bytes of DF22 */
#define CARDSIM_ADDRESS_MAX 1023 /* UTF-8 bytes of DF23 */
#define CARDSIM_PIN_TRIES_MAX 3

struct cardsim_persona {
	char id[CARDSIM_ID_MAX + 1];
	char my_number[13];    /* 12 ASCII digits, check digit valid */
	char name[CARDSIM_NAME_MAX + 1];
	char address[CARDSIM_ADDRESS_MAX + 1];
	char birth_date[9];    /* YYYYMMDD */
	char sex;              /* '1' | '2' | '9' | '0' */
	char pin[5];           /* 4 ASCII digits */
	int tries_left;        /* 0..3 */
	char municipality[7];  /* 6 ASCII digits */
	bool opt_sfi;
	bool opt_extended;
	bool opt_presence;     /* 80 2A signing available */
};

/**
 * Parse and validate persona JSON text (pure; unit-tested without files).
 * @return 0, or KIOSK_ERR_CONFIG with a reason naming the field in @err.
 */
int cardsim_persona_parse(struct cardsim_persona *p, const char *json, size_t len, char *err,
			  size_t err_cap);

/** Read @path and parse it. @return 0, KIOSK_ERR_IO or KIOSK_ERR_CONFIG (reason in @err). */
int cardsim_persona_load(struct cardsim_persona *p, const char *path, char *err, size_t err_cap);

/** My Number check digit (0..9) for the first 11 ASCII digits of @d. */
int cardsim_my_number_check_digit(const char *d);

/** true when @s is 12 ASCII digits whose last digit is the right check digit. */
bool cardsim_my_number_valid(const char *s);

#endif /* CARDSIM_PERSONA_H */
