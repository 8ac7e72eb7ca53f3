/* SPDX-License-Identifier: MIT */
/*
 * COVID-19 CVX codes (CDC list) to product and manufacturer, for the printed
 * certificate; SHC carries only the code. Japan-specific codes for products
 * without a US CVX (e.g. bivalent BA.1) are not known: they print as the code.
 */
#include <string.h>

#include "cert_shc.h"

struct cvx_entry {
	const char *code;
	const char *product;
	const char *manufacturer;
};

static const struct cvx_entry cvx_table[] = {
	{ "207", "Spikevax", "Moderna" },
	{ "208", "Comirnaty", "Pfizer/BioNTech" },
	{ "210", "Vaxzevria", "AstraZeneca" },
	{ "211", "Nuvaxovid", "Novavax" },
	{ "212", "Jcovden", "Janssen" },
	{ "217", "Comirnaty", "Pfizer/BioNTech" },
	{ "218", "Comirnaty 5-11", "Pfizer/BioNTech" },
	{ "219", "Comirnaty 6m-4", "Pfizer/BioNTech" },
	{ "221", "Spikevax", "Moderna" },
	{ "227", "Spikevax pediatric", "Moderna" },
	{ "228", "Spikevax pediatric", "Moderna" },
	{ "229", "Spikevax bivalent", "Moderna" },
	{ "230", "Spikevax bivalent", "Moderna" },
	{ "300", "Comirnaty bivalent", "Pfizer/BioNTech" },
	{ "301", "Comirnaty bivalent", "Pfizer/BioNTech" },
	{ "302", "Comirnaty bivalent", "Pfizer/BioNTech" },
};

void cert_cvx_lookup(const char *cvx, const char **product, const char **manufacturer)
{
	*product = NULL;
	*manufacturer = NULL;
	for (size_t i = 0; i < sizeof(cvx_table) / sizeof(cvx_table[0]); i++) {
		if (strcmp(cvx, cvx_table[i].code) == 0) {
			*product = cvx_table[i].product;
			*manufacturer = cvx_table[i].manufacturer;
			return;
		}
	}
}
