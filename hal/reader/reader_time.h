/* SPDX-License-Identifier: MIT */
/*
 * Internal: CLOCK_MONOTONIC deadlines for the backends' timed waits. Wall-clock
 * jumps (NTP on a kiosk that boots without a clock) must not stretch or cut a
 * watchdog, so every condition variable here waits on the monotonic clock.
 */
#ifndef HAL_READER_TIME_H
#define HAL_READER_TIME_H

#include <pthread.h>
#include <time.h>

/** Initialise @cv to time out against CLOCK_MONOTONIC. @return 0 or an errno. */
static inline int hal_cond_init_monotonic(pthread_cond_t *cv)
{
	pthread_condattr_t attr;
	int err;

	err = pthread_condattr_init(&attr);
	if (err != 0) {
		return err;
	}
	err = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (err == 0) {
		err = pthread_cond_init(cv, &attr);
	}
	pthread_condattr_destroy(&attr);
	return err;
}

/** @deadline = now (monotonic) + @ms. */
static inline void hal_deadline_after(struct timespec *deadline, unsigned ms)
{
	clock_gettime(CLOCK_MONOTONIC, deadline);
	deadline->tv_sec += (time_t)(ms / 1000u);
	deadline->tv_nsec += (long)(ms % 1000u) * 1000000L;
	if (deadline->tv_nsec >= 1000000000L) {
		deadline->tv_sec++;
		deadline->tv_nsec -= 1000000000L;
	}
}

/** Milliseconds left until @deadline, rounded up; 0 once it has passed. */
static inline unsigned hal_ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long long ns;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (long long)(deadline->tv_sec - now.tv_sec) * 1000000000LL +
	     (deadline->tv_nsec - now.tv_nsec);
	if (ns <= 0) {
		return 0;
	}
	return (unsigned)((ns + 999999LL) / 1000000LL);
}

#endif /* HAL_READER_TIME_H */
