/* SPDX-License-Identifier: MIT */
/*
 * Backend lookup by name, for boards that allow a runtime override (the QA
 * board's KIOSK_HAL_READER). A NULL-terminated table built at compile time; no
 * constructor self-registration (objects only a constructor references get
 * dropped from static archives).
 */
#include <stddef.h>
#include <string.h>

#include "hal/reader.h"

static const struct hal_reader_ops *const backends[] = {
#ifdef HAL_READER_HAVE_PCSC
	&hal_reader_pcsc,
#endif
#ifdef HAL_READER_HAVE_SIM
	&hal_reader_sim,
#endif
#ifdef HAL_READER_HAVE_NFC
	&hal_reader_nfc,
#endif
	NULL,
};

const struct hal_reader_ops *hal_reader_backend(const char *name)
{
	if (name == NULL) {
		return NULL;
	}
	for (size_t i = 0; backends[i] != NULL; i++) {
		if (strcmp(backends[i]->name, name) == 0) {
			return backends[i];
		}
	}
	return NULL;
}
