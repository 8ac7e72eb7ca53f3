/* SPDX-License-Identifier: MIT */
/*
 * Client for the card simulator's control socket (tools/cardsim): one command
 * line out, one reply line back ("ok ..." / "err ..."); "log" is followed by
 * as many lines as its reply counts. Every wait is bounded.
 */
#ifndef RIG_SIMCTL_H
#define RIG_SIMCTL_H

#include <stddef.h>

#define SIMCTL_TIMEOUT_MS 5000

/**
 * Send @cmd to the simulator at @sock_path (NULL: $KIOSK_CARDSIM_CTL) and put
 * the whole reply (all lines) in @reply.
 * @return 0 when the reply starts with "ok", 1 for "err", -1 on a socket error
 *         or timeout.
 */
int simctl_cmd(const char *sock_path, const char *cmd, char *reply, size_t cap);

/** simctl_cmd() with a printf-style command. */
int simctl_cmdf(const char *sock_path, char *reply, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/** Read "key=<n>" from a "stats" reply; -1 when absent. */
long simctl_stat(const char *reply, const char *key);

#endif /* RIG_SIMCTL_H */
