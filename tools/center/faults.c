/* SPDX-License-Identifier: MIT */
/*
 * Fault switches for QA (command line --fault NAME=VALUE, or the loopback
 * admin endpoint). delay_ms holds milliseconds; every other switch is a count
 * of certificate answers it hits (1 = the next one only, so a retry succeeds;
 * -1 or "on" = every one; 0 or "off" = none).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "center.h"

static const char *const NAMES[RC_FAULT_COUNT] = {
	[RC_FAULT_DELAY_MS] = "delay_ms",
	[RC_FAULT_DROP] = "drop",
	[RC_FAULT_HTTP_500] = "http_500",
	[RC_FAULT_HTTP_503] = "http_503",
	[RC_FAULT_MALFORMED_JSON] = "malformed_json",
	[RC_FAULT_OVERSIZED_BODY] = "oversized_body",
	[RC_FAULT_ROGUE_KID] = "rogue_kid",
	[RC_FAULT_OTHER_PERSON] = "other_person",
};

void rc_faults_init(struct rc_faults *f)
{
	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->lock, NULL);
}

int rc_faults_set(struct rc_faults *f, const char *name, const char *value)
{
	long v;
	char *end;

	if (name == NULL || value == NULL) {
		return -1;
	}
	if (strcmp(value, "on") == 0 || strcmp(value, "true") == 0) {
		v = -1;
	} else if (strcmp(value, "off") == 0 || strcmp(value, "false") == 0) {
		v = 0;
	} else {
		errno = 0;
		v = strtol(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0' || v < -1 || v > 600000) {
			return -1;
		}
	}
	for (int i = 0; i < RC_FAULT_COUNT; i++) {
		if (strcmp(name, NAMES[i]) == 0) {
			if (i == RC_FAULT_DELAY_MS && v < 0) {
				return -1;
			}
			pthread_mutex_lock(&f->lock);
			f->v[i] = v;
			pthread_mutex_unlock(&f->lock);
			return 0;
		}
	}
	return -1;
}

int rc_faults_set_arg(struct rc_faults *f, const char *arg)
{
	char name[64];
	const char *eq = strchr(arg, '=');

	if (eq == NULL || (size_t)(eq - arg) >= sizeof(name)) {
		return -1;
	}
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	return rc_faults_set(f, name, eq + 1);
}

bool rc_faults_take(struct rc_faults *f, enum rc_fault which)
{
	bool hit = false;

	pthread_mutex_lock(&f->lock);
	if (f->v[which] != 0) {
		hit = true;
		if (f->v[which] > 0) {
			f->v[which]--;
		}
	}
	pthread_mutex_unlock(&f->lock);
	return hit;
}

long rc_faults_get(struct rc_faults *f, enum rc_fault which)
{
	long v;

	pthread_mutex_lock(&f->lock);
	v = f->v[which];
	pthread_mutex_unlock(&f->lock);
	return v;
}

char *rc_faults_json(struct rc_faults *f)
{
	cJSON *o = cJSON_CreateObject();
	char *s;

	for (int i = 0; i < RC_FAULT_COUNT; i++) {
		cJSON_AddNumberToObject(o, NAMES[i], (double)rc_faults_get(f, (enum rc_fault)i));
	}
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}
