/* SPDX-License-Identifier: MIT */
/* Screen names (scripts, logs, screenshots) and the button list helper. */
#include <stdio.h>
#include <string.h>

#include "kiosk/screen.h"

static const char *const names[KIOSK_SCREEN_COUNT] = {
	[KIOSK_SCREEN_IDLE] = "idle",
	[KIOSK_SCREEN_LANGUAGE] = "language",
	[KIOSK_SCREEN_TYPE] = "type",
	[KIOSK_SCREEN_MUNICIPALITY] = "municipality",
	[KIOSK_SCREEN_PLACE_CARD] = "place_card",
	[KIOSK_SCREEN_PIN] = "pin",
	[KIOSK_SCREEN_READING] = "reading",
	[KIOSK_SCREEN_TAKE_CARD] = "take_card",
	[KIOSK_SCREEN_CONFIRM] = "confirm",
	[KIOSK_SCREEN_REQUESTING] = "requesting",
	[KIOSK_SCREEN_PRINTING] = "printing",
	[KIOSK_SCREEN_TAKE_CERTIFICATE] = "take_certificate",
	[KIOSK_SCREEN_MESSAGE] = "message",
};

const char *kiosk_screen_name(enum kiosk_screen_id id)
{
	if ((unsigned)id >= KIOSK_SCREEN_COUNT) {
		return "unknown";
	}
	return names[id];
}

enum kiosk_screen_id kiosk_screen_by_name(const char *name)
{
	if (name == NULL) {
		return KIOSK_SCREEN_COUNT;
	}
	for (unsigned i = 0; i < KIOSK_SCREEN_COUNT; i++) {
		if (strcmp(names[i], name) == 0) {
			return (enum kiosk_screen_id)i;
		}
	}
	return KIOSK_SCREEN_COUNT;
}

void kiosk_screen_add_button(struct kiosk_screen *s, const char *id, const char *label,
			     bool primary)
{
	struct kiosk_button *b;

	if (s == NULL || id == NULL || label == NULL || s->n_buttons >= KIOSK_SCREEN_BUTTONS_MAX) {
		return;
	}
	b = &s->buttons[s->n_buttons++];
	(void)snprintf(b->id, sizeof(b->id), "%s", id);
	(void)snprintf(b->label, sizeof(b->label), "%s", label);
	b->primary = primary;
}
