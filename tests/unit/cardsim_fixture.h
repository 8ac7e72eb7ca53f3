/* SPDX-License-Identifier: MIT */
/* Shared by the unit tests that run the card model in-process. */
#ifndef TESTS_CARDSIM_FIXTURE_H
#define TESTS_CARDSIM_FIXTURE_H

#include "cardsim/cardsim.h"

/**
 * The card for tools/cardsim/personas/<persona>.json ($KIOSK_PERSONAS), signed
 * with the test PKI ($KIOSK_TEST_PKI). Fails the running cmocka test when the
 * persona does not load. Free with cardsim_card_free().
 */
struct cardsim_card *cardsim_fixture_load(const char *persona);

#endif /* TESTS_CARDSIM_FIXTURE_H */
