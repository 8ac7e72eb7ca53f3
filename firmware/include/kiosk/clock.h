/* SPDX-License-Identifier: MIT */
#ifndef KIOSK_CLOCK_H
#define KIOSK_CLOCK_H

#include <stdint.h>

/** Milliseconds on CLOCK_MONOTONIC: for timeouts and durations, never a date. */
int64_t kiosk_now_ms(void);

#endif /* KIOSK_CLOCK_H */
