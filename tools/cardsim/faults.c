/* SPDX-License-Identifier: MIT */
/* Faults and options QA switches by name: "--fault name=value", "fault name value". */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "card_internal.h"
#include "kiosk/err.h"

#define DELAY_MS_MAX 600000L /* ten minutes: longer than any firmware watchdog */

void cardsim_faults_reset(struct cardsim_card *c)
{
	memset(&c->faults, 0, sizeof(c->faults));
	c->faults.remove_after = -1;
	c->faults.mute_after = -1;
	c->faults.tamper = TAMPER_NONE;
	c->faults.no_sfi = !c->persona.opt_sfi;
	c->faults.no_extended = !c->persona.opt_extended;
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
	char *end = NULL;
	long v;

	if (s == NULL || *s == '\0') {
		return KIOSK_ERR_INVALID_ARG;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) {
		return KIOSK_ERR_INVALID_ARG;
	}
	*out = v;
	return 0;
}

static int parse_bool(const char *s, bool *out)
{
	if (s == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (strcmp(s, "1") == 0 || strcmp(s, "true") == 0 || strcmp(s, "on") == 0) {
		*out = true;
		return 0;
	}
	if (strcmp(s, "0") == 0 || strcmp(s, "false") == 0 || strcmp(s, "off") == 0) {
		*out = false;
		return 0;
	}
	return KIOSK_ERR_INVALID_ARG;
}

static int parse_tamper(const char *s, enum cardsim_tamper *out)
{
	static const struct {
		const char *name;
		enum cardsim_tamper t;
	} names[] = {
		{ "none", TAMPER_NONE },     { "0", TAMPER_NONE },
		{ "my_number", TAMPER_MY_NUMBER }, { "basic4", TAMPER_BASIC4 },
		{ "record", TAMPER_RECORD }, { "cert", TAMPER_CERT },
	};

	for (size_t i = 0; s != NULL && i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i].name) == 0) {
			*out = names[i].t;
			return 0;
		}
	}
	return KIOSK_ERR_INVALID_ARG;
}

/* A fault that changes file contents: rebuild, and undo the change on failure. */
static int rebuild_with(struct cardsim_card *c, const struct cardsim_faults *next)
{
	struct cardsim_faults prev = c->faults;
	int rc;

	c->faults = *next;
	rc = cardsim_files_build(c);
	if (rc != 0) {
		c->faults = prev;
	}
	return rc;
}

/* Boolean switches that only change behaviour, not files. */
static bool *bool_fault(struct cardsim_faults *f, const char *name)
{
	static const char *const names[] = { "first_6f00", "chain_61xx", "wrong_le_6c",
					     "no_sfi",     "no_extended", "ext_atr_only",
					     "not_mynumber", "replay" };
	bool *slots[] = { &f->first_6f00,   &f->chain_61xx,   &f->wrong_le_6c, &f->no_sfi,
			  &f->no_extended, &f->ext_atr_only, &f->not_mynumber, &f->replay };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(name, names[i]) == 0) {
			return slots[i];
		}
	}
	return NULL;
}

static int set_fault(struct cardsim_card *c, const char *name, const char *value)
{
	struct cardsim_faults next = c->faults;
	bool *flag = bool_fault(&c->faults, name);
	long v = 0;
	bool b = false;
	int rc;

	if (flag != NULL) {
		rc = parse_bool(value, &b);
		if (rc == 0) {
			*flag = b;
		}
		return rc;
	}
	if (strcmp(name, "remove_after") == 0) {
		rc = parse_long(value, -1, LONG_MAX, &v);
		if (rc == 0) {
			c->faults.remove_after = v;
		}
		return rc;
	}
	if (strcmp(name, "mute_after") == 0) {
		rc = parse_long(value, -1, LONG_MAX, &v);
		if (rc == 0) {
			c->faults.mute_after = v;
			if (v < 0) {
				c->muted = false;
			}
		}
		return rc;
	}
	if (strcmp(name, "delay_ms") == 0 || strcmp(name, "reinsert_ms") == 0) {
		rc = parse_long(value, 0, DELAY_MS_MAX, &v);
		if (rc == 0 && name[0] == 'd') {
			c->faults.delay_ms = (unsigned)v;
		} else if (rc == 0) {
			c->faults.reinsert_ms = (unsigned)v;
		}
		return rc;
	}
	if (strcmp(name, "tries") == 0 || strcmp(name, "blocked") == 0) {
		if (name[0] == 't') {
			rc = parse_long(value, 0, CARDSIM_PIN_TRIES_MAX, &v);
		} else {
			rc = parse_bool(value, &b);
			v = b ? 0 : CARDSIM_PIN_TRIES_MAX;
		}
		if (rc == 0) {
			c->tries = (int)v;
			if (v == 0) {
				c->verified = false;
			}
		}
		return rc;
	}
	if (strcmp(name, "tamper") == 0) {
		rc = parse_tamper(value, &next.tamper);
		return rc != 0 ? rc : rebuild_with(c, &next);
	}
	if (strcmp(name, "unknown_ca") == 0) {
		rc = parse_bool(value, &next.unknown_ca);
		return rc != 0 ? rc : rebuild_with(c, &next);
	}
	return KIOSK_ERR_INVALID_ARG;
}

int cardsim_set(struct cardsim_card *c, const char *name, const char *value)
{
	if (c == NULL || name == NULL || value == NULL) {
		return -1;
	}
	return set_fault(c, name, value) == 0 ? 0 : -1;
}

unsigned cardsim_delay_ms(const struct cardsim_card *c)
{
	return c != NULL ? c->faults.delay_ms : 0;
}

unsigned cardsim_reinsert_ms(const struct cardsim_card *c)
{
	return c != NULL ? c->faults.reinsert_ms : 0;
}
