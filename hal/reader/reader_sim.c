/* SPDX-License-Identifier: MIT */
/*
 * In-process reader over the cardsim card model (tools/cardsim). It behaves
 * like the pcsc backend against vpcd, so flows tested here hold on the rig:
 *   - ANSWER_THEN_REMOVE: the answer arrives, then the card is gone and every
 *     later op on the connection fails with KIOSK_ERR_CARD_REMOVED;
 *   - REMOVE_NOW: KIOSK_ERR_CARD_REMOVED;
 *   - MUTE, or a delay_ms fault longer than the watchdog: KIOSK_ERR_CARD_TIMEOUT
 *     after apdu_timeout_ms, and the connection is dead from then on; shorter
 *     delays are applied before the answer;
 *   - reinsert_ms: after the model pulled itself out, it comes back that much
 *     later (seen by wait_card and connect);
 *   - a removal (hal_reader_sim_remove, possibly from another thread) wakes a
 *     muted or delayed transmit with KIOSK_ERR_CARD_REMOVED, as vpcd does when
 *     the card's socket closes.
 * The model is not owned and not thread-safe; every call into it holds mu.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <mbedtls/platform_util.h>

#include "cardsim/cardsim.h"
#include "hal/reader.h"
#include "kiosk/err.h"
#include "reader_time.h"

#define SIM_READER_NAME "cardsim (in-process)"

struct sim_priv {
	pthread_mutex_t mu;
	pthread_cond_t cv; /* insert/remove events (CLOCK_MONOTONIC) */
	bool sync_ok;
	struct cardsim_card *card; /* borrowed; it knows whether it is in the reader */
	unsigned timeout_ms;
	bool card_powered;    /* we powered the model on and owe it a power-off */
	bool session;         /* connected and not yet disconnected */
	bool removed;         /* the card left during this session */
	bool dead;            /* watchdog fired during this session */
	bool reinsert_pending; /* fault reinsert_ms: the card comes back by itself */
	struct timespec reinsert_at;
};

/* The card left (the model has already marked itself removed): break the session. */
static void card_left(struct sim_priv *p)
{
	unsigned ms = cardsim_reinsert_ms(p->card);

	p->card_powered = false;
	if (p->session) {
		p->removed = true;
	}
	if (ms > 0) {
		p->reinsert_pending = true;
		hal_deadline_after(&p->reinsert_at, ms);
	}
	pthread_cond_broadcast(&p->cv);
}

/* Put the card back when a pending automatic re-insertion is due. */
static void reinsert_if_due(struct sim_priv *p)
{
	if (p->reinsert_pending && hal_ms_left(&p->reinsert_at) == 0) {
		p->reinsert_pending = false;
		cardsim_insert(p->card);
		pthread_cond_broadcast(&p->cv);
	}
}

/*
 * Wait up to @ms with mu held, returning early only when the card is pulled.
 * @return true when the card was pulled during (or before) the wait.
 */
static bool wait_or_removed(struct sim_priv *p, unsigned ms)
{
	struct timespec deadline;
	int err = 0;

	hal_deadline_after(&deadline, ms);
	while (!p->removed && err == 0) {
		err = pthread_cond_timedwait(&p->cv, &p->mu, &deadline);
	}
	return p->removed;
}

static int sim_open(void *priv, const struct hal_reader_config *cfg)
{
	struct sim_priv *p = priv;

	if (cfg->sim_card == NULL) {
		return KIOSK_ERR_CONFIG;
	}
	if (pthread_mutex_init(&p->mu, NULL) != 0) {
		return KIOSK_ERR_INTERNAL;
	}
	if (hal_cond_init_monotonic(&p->cv) != 0) {
		pthread_mutex_destroy(&p->mu);
		return KIOSK_ERR_INTERNAL;
	}
	p->sync_ok = true;
	p->card = cfg->sim_card;
	p->timeout_ms = cfg->apdu_timeout_ms != 0 ? cfg->apdu_timeout_ms
						  : HAL_READER_DEFAULT_APDU_TIMEOUT_MS;
	return 0;
}

static int sim_disconnect(void *priv)
{
	struct sim_priv *p = priv;
	int rc = 0;

	pthread_mutex_lock(&p->mu);
	if (p->card_powered && cardsim_present(p->card)) {
		/* Unpower: the model drops its security status, like a real card. */
		cardsim_power(p->card, CARDSIM_POWER_OFF);
	}
	p->card_powered = false;
	if (p->dead) {
		rc = KIOSK_ERR_CARD_TIMEOUT;
	} else if (p->removed) {
		rc = KIOSK_ERR_CARD_REMOVED;
	}
	p->session = false;
	p->removed = false;
	p->dead = false;
	pthread_mutex_unlock(&p->mu);
	return rc;
}

static void sim_close(void *priv)
{
	struct sim_priv *p = priv;

	if (!p->sync_ok) {
		return;
	}
	(void)sim_disconnect(p);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	p->sync_ok = false;
}

static int sim_wait_card(void *priv, bool present, unsigned timeout_ms)
{
	struct sim_priv *p = priv;
	struct timespec deadline;
	const struct timespec *until;
	int rc = KIOSK_ERR_TIMEOUT;

	hal_deadline_after(&deadline, timeout_ms);
	pthread_mutex_lock(&p->mu);
	for (;;) {
		reinsert_if_due(p);
		if (cardsim_present(p->card) == present) {
			rc = 0;
			break;
		}
		if (hal_ms_left(&deadline) == 0) {
			break;
		}
		/* Wake for insert/remove, or when an automatic re-insertion is due. */
		until = &deadline;
		if (p->reinsert_pending && hal_ms_left(&p->reinsert_at) < hal_ms_left(&deadline)) {
			until = &p->reinsert_at;
		}
		(void)pthread_cond_timedwait(&p->cv, &p->mu, until);
	}
	pthread_mutex_unlock(&p->mu);
	return rc;
}

static int sim_connect(void *priv, struct hal_card_info *info)
{
	struct sim_priv *p = priv;
	int rc = 0;

	pthread_mutex_lock(&p->mu);
	reinsert_if_due(p);
	if (!cardsim_present(p->card)) {
		/* What SCARD_E_NO_SMARTCARD maps to on the pcsc backend. */
		rc = KIOSK_ERR_CARD_REMOVED;
		goto out;
	}
	cardsim_power(p->card, CARDSIM_POWER_ON);
	p->card_powered = true;
	p->session = true;
	p->removed = false;
	p->dead = false;
	info->atr_len = cardsim_atr(p->card, info->atr, sizeof(info->atr));
	if (info->atr_len > sizeof(info->atr)) {
		info->atr_len = 0;
	}
	memcpy(info->reader_name, SIM_READER_NAME, sizeof(SIM_READER_NAME));
	info->caps = 0;
out:
	pthread_mutex_unlock(&p->mu);
	return rc;
}

static int sim_transmit(void *priv, const uint8_t *capdu, size_t clen, uint8_t *rapdu,
			size_t rcap, size_t *rlen)
{
	struct sim_priv *p = priv;
	enum cardsim_action act;
	unsigned delay;
	bool removed;
	size_t n = 0;
	int rc = 0;

	*rlen = 0;
	pthread_mutex_lock(&p->mu);
	if (p->dead) {
		rc = KIOSK_ERR_CARD_TIMEOUT;
		goto out;
	}
	if (!p->session) {
		rc = KIOSK_ERR_INVALID_ARG;
		goto out;
	}
	if (p->removed || !p->card_powered) {
		rc = KIOSK_ERR_CARD_REMOVED;
		goto out;
	}
	act = cardsim_process(p->card, capdu, clen, rapdu, rcap, &n);
	if (act != CARDSIM_ANSWER && act != CARDSIM_ANSWER_THEN_REMOVE && act != CARDSIM_MUTE) {
		/* REMOVE_NOW: the model has left the reader without answering. */
		card_left(p);
		rc = KIOSK_ERR_CARD_REMOVED;
		goto out;
	}
	delay = cardsim_delay_ms(p->card);
	if (act == CARDSIM_MUTE || (delay > 0 && delay >= p->timeout_ms)) {
		/* The watchdog: the card does not answer in time. */
		removed = wait_or_removed(p, p->timeout_ms);
		if (!removed) {
			p->dead = true;
		}
		rc = removed ? KIOSK_ERR_CARD_REMOVED : KIOSK_ERR_CARD_TIMEOUT;
	} else if (delay > 0 && wait_or_removed(p, delay)) {
		rc = KIOSK_ERR_CARD_REMOVED;
	}
	if (act == CARDSIM_ANSWER_THEN_REMOVE) {
		/* The answer (if still in time) arrives; then the card is gone. */
		card_left(p);
	}
	if (rc != 0) {
		goto out;
	}
	if (n > rcap) {
		rc = KIOSK_ERR_CARD_PROTOCOL;
		goto out;
	}
	*rlen = n;
out:
	if (rc != 0) {
		/* Whatever the model wrote is not an answer; it may be personal data. */
		mbedtls_platform_zeroize(rapdu, rcap);
	}
	pthread_mutex_unlock(&p->mu);
	return rc;
}

static struct sim_priv *sim_of(struct hal_reader *r)
{
	if (r == NULL || r->ops != &hal_reader_sim || r->priv == NULL) {
		return NULL;
	}
	return ((struct sim_priv *)r->priv)->sync_ok ? r->priv : NULL;
}

void hal_reader_sim_insert(struct hal_reader *r)
{
	struct sim_priv *p = sim_of(r);

	if (p == NULL) {
		return;
	}
	pthread_mutex_lock(&p->mu);
	p->reinsert_pending = false;
	if (!cardsim_present(p->card)) {
		cardsim_insert(p->card);
	}
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

void hal_reader_sim_remove(struct hal_reader *r)
{
	struct sim_priv *p = sim_of(r);

	if (p == NULL) {
		return;
	}
	pthread_mutex_lock(&p->mu);
	p->reinsert_pending = false;
	if (cardsim_present(p->card)) {
		cardsim_remove(p->card);
		p->card_powered = false;
		if (p->session) {
			p->removed = true;
		}
	}
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

const struct hal_reader_ops hal_reader_sim = {
	.name = "sim",
	.priv_size = sizeof(struct sim_priv),
	.open = sim_open,
	.close = sim_close,
	.wait_card = sim_wait_card,
	.connect = sim_connect,
	.transmit = sim_transmit,
	.disconnect = sim_disconnect,
	.get_features = NULL, /* no part 10 on the in-process reader */
};
