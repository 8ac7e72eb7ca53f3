/* SPDX-License-Identifier: MIT */
/*
 * PC/SC backend (pcsc-lite).
 *
 * Two PC/SC contexts per reader:
 *   - the caller's context (priv->ctx) lists readers and waits for cards;
 *   - each card connection gets a worker thread that owns its own context and
 *     the card handle, and runs every call on them (connect, transmit,
 *     disconnect) while the caller waits with a watchdog.
 *
 * Why: vpcd has no timeout, so a mute card blocks SCardTransmit forever, and
 * pcsc-lite's client holds the context's mutex for the whole call; a second
 * call on that context or handle would block behind it. When the watchdog
 * fires the caller abandons the connection: it never touches the stuck
 * context or handle again and returns KIOSK_ERR_CARD_TIMEOUT at once, also for
 * every later op on that connection. The worker, whenever its call returns
 * (the card is pulled, pcscd dies), unpowers the card, releases its context,
 * and, being the last owner, wipes and frees the shared state.
 *
 * APDU bytes (a PIN, personal data) cross threads only in kiosk_secure_alloc
 * buffers and are wiped right after use. Nothing here logs.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <reader.h> /* pcsc-lite: CM_IOCTL_GET_FEATURE_REQUEST */
#include <winscard.h>

#include <mbedtls/platform_util.h>

#include "hal/reader.h"
#include "kiosk/err.h"
#include "kiosk/vault.h"
#include "reader_time.h"

#define PNP_NOTIFICATION "\\\\?PnP?\\Notification"
/* Secure buffers are page-sized anyway; a page holds any command we send. */
#define CMD_CAP 4096u
#define RSP_CAP ((size_t)HAL_RAPDU_MAX)
#define FEATURES_CAP 256u
#define STATUS_NAME_CAP 256u

enum pcsc_job { JOB_NONE, JOB_CONNECT, JOB_TRANSMIT, JOB_DISCONNECT, JOB_CONTROL };

/* A keypad waits for a person: its own timeout (bTimerOut) plus this margin. */
#define PINPAD_DEFAULT_TIMEOUT_S 30u
#define PINPAD_MARGIN_MS 10000u

/*
 * State shared by the caller and one worker. Two references; whoever drops the
 * last one destroys it. Fields marked (worker) are touched only by the worker,
 * or by the caller before the thread starts.
 */
struct pcsc_conn {
	pthread_mutex_t mu;
	pthread_cond_t cv_job;  /* caller -> worker: a job is posted, or abandoned */
	pthread_cond_t cv_done; /* worker -> caller: the job is done (CLOCK_MONOTONIC) */
	bool sync_ok;
	unsigned refs;
	bool abandoned; /* the caller is gone; the worker cleans up alone */
	enum pcsc_job job;
	bool done;
	LONG rv; /* result of the last job */

	SCARDCONTEXT ctx; /* (worker) */
	bool ctx_valid;
	SCARDHANDLE card; /* (worker) */
	bool card_valid;
	DWORD proto;

	char reader[HAL_READER_NAME_MAX];
	uint8_t atr[MAX_ATR_SIZE];
	size_t atr_len;
	uint8_t features[FEATURES_CAP];
	size_t features_len;
	uint8_t pin_props[FEATURES_CAP]; /* GET_TLV_PROPERTIES answer, when offered */
	size_t pin_props_len;

	uint8_t *cmd; /* kiosk_secure_alloc(CMD_CAP) */
	size_t clen;
	uint8_t *rsp; /* kiosk_secure_alloc(RSP_CAP) */
	size_t rlen;
	DWORD ioctl; /* JOB_CONTROL: the SCardControl code, cmd/rsp as for transmit */
};

struct pcsc_priv {
	SCARDCONTEXT ctx; /* caller's: list readers, wait for cards */
	bool ctx_valid;
	bool has_pattern;
	char pattern[HAL_READER_NAME_MAX];
	char reader[HAL_READER_NAME_MAX]; /* chosen reader, "" while none */
	unsigned timeout_ms;
	LONG last_lib_err;
	struct pcsc_conn *conn; /* live connection or NULL */
	bool dead;              /* watchdog fired on the current connection */
	uint8_t features[FEATURES_CAP];
	size_t features_len;
};

/* The one place PC/SC codes become KIOSK_ERR_*. */
static const struct {
	LONG lib;
	int err;
} pcsc_errors[] = {
	{ SCARD_E_NOT_TRANSACTED, KIOSK_ERR_CARD_REMOVED },
	{ SCARD_W_REMOVED_CARD, KIOSK_ERR_CARD_REMOVED },
	{ SCARD_E_NO_SMARTCARD, KIOSK_ERR_CARD_REMOVED },
	{ SCARD_W_RESET_CARD, KIOSK_ERR_CARD_REMOVED },
	{ SCARD_W_UNPOWERED_CARD, KIOSK_ERR_CARD_REMOVED },
	{ SCARD_E_READER_UNAVAILABLE, KIOSK_ERR_READER_GONE },
	{ SCARD_F_COMM_ERROR, KIOSK_ERR_READER_GONE },
	{ SCARD_E_NO_SERVICE, KIOSK_ERR_READER_GONE },
	{ SCARD_E_SERVICE_STOPPED, KIOSK_ERR_READER_GONE },
	{ SCARD_E_UNKNOWN_READER, KIOSK_ERR_READER_GONE },
	{ SCARD_E_NO_READERS_AVAILABLE, KIOSK_ERR_NO_READER },
	{ SCARD_E_TIMEOUT, KIOSK_ERR_TIMEOUT },
	{ SCARD_E_SHARING_VIOLATION, KIOSK_ERR_CARD_BUSY },
};

static int map_pcsc(LONG rv)
{
	if (rv == SCARD_S_SUCCESS) {
		return 0;
	}
	for (size_t i = 0; i < sizeof(pcsc_errors) / sizeof(pcsc_errors[0]); i++) {
		if (pcsc_errors[i].lib == rv) {
			return pcsc_errors[i].err;
		}
	}
	return KIOSK_ERR_CARD_PROTOCOL;
}

/* Remember the raw code for diagnostics and map it. */
static int fail(struct pcsc_priv *p, LONG rv)
{
	if (rv != SCARD_S_SUCCESS) {
		p->last_lib_err = rv;
	}
	return map_pcsc(rv);
}

/* ---- the worker and its shared state ---------------------------------- */

static void conn_destroy(struct pcsc_conn *c)
{
	kiosk_secure_free(c->cmd, CMD_CAP);
	kiosk_secure_free(c->rsp, RSP_CAP);
	if (c->sync_ok) {
		pthread_cond_destroy(&c->cv_done);
		pthread_cond_destroy(&c->cv_job);
		pthread_mutex_destroy(&c->mu);
	}
	mbedtls_platform_zeroize(c, sizeof(*c));
	free(c);
}

/* Drop one reference; the last one destroys. Called without c->mu held. */
static void conn_put(struct pcsc_conn *c)
{
	bool last;

	pthread_mutex_lock(&c->mu);
	last = --c->refs == 0;
	pthread_mutex_unlock(&c->mu);
	if (last) {
		conn_destroy(c);
	}
}

/* A PIN pad's digit limits and display (part 10 GET_TLV_PROPERTIES); none on failure. */
static void worker_pin_props(struct pcsc_conn *c)
{
	struct hal_part10_features feats;
	uint32_t ioctl = 0;
	DWORD n = 0;

	c->pin_props_len = 0;
	if (hal_part10_parse_features(c->features, c->features_len, &feats) == 0) {
		ioctl = hal_part10_find(&feats, HAL_PART10_FEATURE_GET_TLV_PROPERTIES);
	}
	if (ioctl != 0 && SCardControl(c->card, (DWORD)ioctl, NULL, 0, c->pin_props,
				       sizeof(c->pin_props), &n) == SCARD_S_SUCCESS &&
	    n <= sizeof(c->pin_props)) {
		c->pin_props_len = n;
	}
}

static LONG worker_connect(struct pcsc_conn *c)
{
	char name[STATUS_NAME_CAP];
	DWORD name_len = sizeof(name);
	DWORD state = 0;
	DWORD proto = 0;
	DWORD atr_len = sizeof(c->atr);
	DWORD flen = 0;
	LONG rv;

	rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &c->ctx);
	if (rv != SCARD_S_SUCCESS) {
		return rv;
	}
	c->ctx_valid = true;
	/* Exclusive: with the PIN verified, a shared holder could read the EFs. */
	rv = SCardConnect(c->ctx, c->reader, SCARD_SHARE_EXCLUSIVE,
			  SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &c->card, &c->proto);
	if (rv != SCARD_S_SUCCESS) {
		return rv;
	}
	c->card_valid = true;
	/* SCardStatus, not SCardGetAttrib: vpcd does not answer the latter. */
	rv = SCardStatus(c->card, name, &name_len, &state, &proto, c->atr, &atr_len);
	if (rv != SCARD_S_SUCCESS) {
		return rv;
	}
	c->atr_len = atr_len <= sizeof(c->atr) ? atr_len : 0;
	/* Any failure here just means "no part 10 features". */
	if (SCardControl(c->card, CM_IOCTL_GET_FEATURE_REQUEST, NULL, 0, c->features,
			 sizeof(c->features), &flen) == SCARD_S_SUCCESS &&
	    flen <= sizeof(c->features)) {
		c->features_len = flen;
	} else {
		c->features_len = 0;
	}
	worker_pin_props(c);
	return SCARD_S_SUCCESS;
}

static LONG worker_transmit(struct pcsc_conn *c)
{
	const SCARD_IO_REQUEST *pci = c->proto == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
	DWORD rl = (DWORD)RSP_CAP;
	LONG rv;

	rv = SCardTransmit(c->card, pci, c->cmd, (DWORD)c->clen, NULL, c->rsp, &rl);
	mbedtls_platform_zeroize(c->cmd, CMD_CAP);
	c->clen = 0;
	if (rv != SCARD_S_SUCCESS || rl > RSP_CAP) {
		mbedtls_platform_zeroize(c->rsp, RSP_CAP);
		c->rlen = 0;
		return rv != SCARD_S_SUCCESS ? rv : SCARD_E_INSUFFICIENT_BUFFER;
	}
	c->rlen = rl;
	return rv;
}

static LONG worker_control(struct pcsc_conn *c)
{
	DWORD rl = 0;
	LONG rv;

	rv = SCardControl(c->card, c->ioctl, c->cmd, (DWORD)c->clen, c->rsp, (DWORD)RSP_CAP, &rl);
	mbedtls_platform_zeroize(c->cmd, CMD_CAP);
	c->clen = 0;
	if (rv != SCARD_S_SUCCESS || rl > RSP_CAP) {
		mbedtls_platform_zeroize(c->rsp, RSP_CAP);
		c->rlen = 0;
		return rv != SCARD_S_SUCCESS ? rv : SCARD_E_INSUFFICIENT_BUFFER;
	}
	c->rlen = rl;
	return rv;
}

static LONG worker_disconnect(struct pcsc_conn *c)
{
	LONG rv = SCARD_S_SUCCESS;

	if (c->card_valid) {
		/* UNPOWER: the PIN security status survives anything else. */
		rv = SCardDisconnect(c->card, SCARD_UNPOWER_CARD);
		c->card_valid = false;
	}
	return rv;
}

static void *worker_main(void *arg)
{
	struct pcsc_conn *c = arg;
	enum pcsc_job job;
	LONG rv;
	bool quit = false;

	pthread_mutex_lock(&c->mu);
	while (!quit) {
		while (c->job == JOB_NONE && !c->abandoned) {
			pthread_cond_wait(&c->cv_job, &c->mu);
		}
		if (c->abandoned) {
			break;
		}
		job = c->job;
		c->job = JOB_NONE;
		pthread_mutex_unlock(&c->mu);

		switch (job) {
		case JOB_CONNECT:
			rv = worker_connect(c);
			quit = rv != SCARD_S_SUCCESS;
			break;
		case JOB_TRANSMIT:
			rv = worker_transmit(c);
			break;
		case JOB_CONTROL:
			rv = worker_control(c);
			break;
		case JOB_DISCONNECT:
		default:
			rv = worker_disconnect(c);
			quit = true;
			break;
		}

		pthread_mutex_lock(&c->mu);
		c->rv = rv;
		c->done = true;
		pthread_cond_signal(&c->cv_done);
		if (c->abandoned) {
			/* The watchdog fired during this job: nobody reads the answer. */
			mbedtls_platform_zeroize(c->rsp, RSP_CAP);
			c->rlen = 0;
			quit = true;
		}
	}
	pthread_mutex_unlock(&c->mu);

	(void)worker_disconnect(c);
	if (c->ctx_valid) {
		SCardReleaseContext(c->ctx);
		c->ctx_valid = false;
	}
	conn_put(c);
	return NULL;
}

static int conn_start(struct pcsc_priv *p, struct pcsc_conn **out)
{
	struct pcsc_conn *c;
	pthread_attr_t attr;
	pthread_t tid;
	sigset_t all;
	sigset_t old;
	int err;
	int rc = 0;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		return KIOSK_ERR_NO_MEMORY;
	}
	c->cmd = kiosk_secure_alloc(CMD_CAP);
	c->rsp = kiosk_secure_alloc(RSP_CAP);
	if (c->cmd == NULL || c->rsp == NULL) {
		rc = KIOSK_ERR_VAULT;
		goto err_free;
	}
	if (pthread_mutex_init(&c->mu, NULL) != 0) {
		rc = KIOSK_ERR_INTERNAL;
		goto err_free;
	}
	if (pthread_cond_init(&c->cv_job, NULL) != 0) {
		pthread_mutex_destroy(&c->mu);
		rc = KIOSK_ERR_INTERNAL;
		goto err_free;
	}
	if (hal_cond_init_monotonic(&c->cv_done) != 0) {
		pthread_cond_destroy(&c->cv_job);
		pthread_mutex_destroy(&c->mu);
		rc = KIOSK_ERR_INTERNAL;
		goto err_free;
	}
	c->sync_ok = true;
	memcpy(c->reader, p->reader, sizeof(c->reader));
	c->refs = 2;

	if (pthread_attr_init(&attr) != 0) {
		rc = KIOSK_ERR_INTERNAL;
		goto err_free;
	}
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* Signals belong to the main loop, not to a thread stuck in PC/SC. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&tid, &attr, worker_main, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (err != 0) {
		rc = err == EAGAIN ? KIOSK_ERR_NO_MEMORY : KIOSK_ERR_INTERNAL;
		goto err_free;
	}
	*out = c;
	return 0;

err_free:
	conn_destroy(c);
	return rc;
}

/*
 * Post @job and wait at most the watchdog time. On timeout the connection is
 * abandoned: the caller's reference is dropped here, and the worker finishes,
 * unpowers and frees on its own. @c must not be used after a nonzero return.
 */
static int run_job_ms(struct pcsc_conn *c, enum pcsc_job job, LONG *rv, unsigned timeout_ms)
{
	struct timespec deadline;
	bool done;
	int err = 0;

	hal_deadline_after(&deadline, timeout_ms);
	pthread_mutex_lock(&c->mu);
	c->job = job;
	c->done = false;
	pthread_cond_signal(&c->cv_job);
	while (!c->done && err == 0) {
		err = pthread_cond_timedwait(&c->cv_done, &c->mu, &deadline);
	}
	done = c->done;
	if (done) {
		*rv = c->rv;
	} else {
		c->abandoned = true;
		pthread_cond_signal(&c->cv_job);
	}
	pthread_mutex_unlock(&c->mu);
	if (!done) {
		conn_put(c);
		return KIOSK_ERR_CARD_TIMEOUT;
	}
	return 0;
}

static int run_job(struct pcsc_priv *p, struct pcsc_conn *c, enum pcsc_job job, LONG *rv)
{
	return run_job_ms(c, job, rv, p->timeout_ms);
}

/* ---- caller-side context and reader discovery --------------------------- */

static int ensure_ctx(struct pcsc_priv *p)
{
	LONG rv;

	if (p->ctx_valid) {
		return 0;
	}
	rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &p->ctx);
	if (rv != SCARD_S_SUCCESS) {
		return fail(p, rv);
	}
	p->ctx_valid = true;
	return 0;
}

/* After pcscd went away the context is useless; the next call makes a new one. */
static void drop_ctx(struct pcsc_priv *p)
{
	if (p->ctx_valid) {
		SCardReleaseContext(p->ctx);
		p->ctx_valid = false;
	}
}

/* Choose the first reader whose name contains the pattern; count all readers. */
static int find_reader(struct pcsc_priv *p, DWORD *count)
{
	LPSTR list = NULL;
	DWORD len = SCARD_AUTOALLOCATE;
	DWORD n = 0;
	LONG rv;
	int rc = KIOSK_ERR_NO_READER;

	p->reader[0] = '\0';
	rv = SCardListReaders(p->ctx, NULL, (LPSTR)&list, &len);
	if (rv == SCARD_E_NO_READERS_AVAILABLE) {
		goto out;
	}
	if (rv != SCARD_S_SUCCESS) {
		rc = fail(p, rv);
		if (rc == KIOSK_ERR_READER_GONE) {
			drop_ctx(p);
		}
		list = NULL;
		goto out;
	}
	for (const char *s = list; s < list + len && *s != '\0'; s += strlen(s) + 1) {
		n++;
		if (rc == 0 || strlen(s) >= sizeof(p->reader)) {
			continue;
		}
		if (!p->has_pattern || strstr(s, p->pattern) != NULL) {
			memcpy(p->reader, s, strlen(s) + 1);
			rc = 0;
		}
	}
out:
	if (list != NULL) {
		SCardFreeMemory(p->ctx, list);
	}
	if (count != NULL) {
		*count = n;
	}
	return rc;
}

/* Block until the reader list changes (a reader is plugged in) or the deadline. */
static int wait_reader_change(struct pcsc_priv *p, DWORD count, const struct timespec *deadline)
{
	SCARD_READERSTATE rs;
	unsigned left = hal_ms_left(deadline);
	LONG rv;
	int rc;

	if (left == 0) {
		return KIOSK_ERR_TIMEOUT;
	}
	memset(&rs, 0, sizeof(rs));
	rs.szReader = PNP_NOTIFICATION;
	/* pcsc-lite compares the reader count in the high word. */
	rs.dwCurrentState = count << 16;
	rv = SCardGetStatusChange(p->ctx, left, &rs, 1);
	rc = fail(p, rv);
	if (rc == KIOSK_ERR_READER_GONE) {
		drop_ctx(p);
	}
	return rc;
}

/* ---- the ops ------------------------------------------------------------- */

static int pcsc_open(void *priv, const struct hal_reader_config *cfg)
{
	struct pcsc_priv *p = priv;
	int rc;

	p->timeout_ms = cfg->apdu_timeout_ms != 0 ? cfg->apdu_timeout_ms
						  : HAL_READER_DEFAULT_APDU_TIMEOUT_MS;
	if (cfg->name_pattern != NULL) {
		if (strlen(cfg->name_pattern) >= sizeof(p->pattern)) {
			return KIOSK_ERR_CONFIG;
		}
		memcpy(p->pattern, cfg->name_pattern, strlen(cfg->name_pattern) + 1);
		p->has_pattern = true;
	}
	rc = ensure_ctx(p);
	if (rc != 0) {
		return rc;
	}
	return find_reader(p, NULL);
}

static int pcsc_disconnect(void *priv)
{
	struct pcsc_priv *p = priv;
	struct pcsc_conn *c = p->conn;
	LONG rv = SCARD_S_SUCCESS;
	int rc;

	if (p->dead) {
		/* The worker unpowers the card when its stuck call returns. */
		p->dead = false;
		return KIOSK_ERR_CARD_TIMEOUT;
	}
	if (c == NULL) {
		return 0;
	}
	p->conn = NULL;
	mbedtls_platform_zeroize(p->features, sizeof(p->features));
	p->features_len = 0;
	rc = run_job(p, c, JOB_DISCONNECT, &rv);
	if (rc != 0) {
		return rc;
	}
	conn_put(c);
	return fail(p, rv);
}

static void pcsc_close(void *priv)
{
	struct pcsc_priv *p = priv;

	(void)pcsc_disconnect(p);
	p->dead = false;
	drop_ctx(p);
}

static int pcsc_wait_card(void *priv, bool present, unsigned timeout_ms)
{
	struct pcsc_priv *p = priv;
	struct timespec deadline;
	SCARD_READERSTATE rs;
	DWORD cur = SCARD_STATE_UNAWARE;
	DWORD count = 0;
	unsigned left;
	LONG rv;
	int rc;

	hal_deadline_after(&deadline, timeout_ms);
	for (;;) {
		rc = ensure_ctx(p);
		if (rc != 0) {
			return rc;
		}
		if (p->reader[0] == '\0') {
			rc = find_reader(p, &count);
			if (rc == KIOSK_ERR_NO_READER) {
				if (!present) {
					return 0; /* no reader, so no card */
				}
				rc = wait_reader_change(p, count, &deadline);
				if (rc != 0) {
					return rc;
				}
				continue;
			}
			if (rc != 0) {
				return rc;
			}
			cur = SCARD_STATE_UNAWARE;
		}
		left = hal_ms_left(&deadline);
		if (cur != SCARD_STATE_UNAWARE && left == 0) {
			return KIOSK_ERR_TIMEOUT;
		}
		memset(&rs, 0, sizeof(rs));
		rs.szReader = p->reader;
		rs.dwCurrentState = cur;
		/* UNAWARE asks for the current state and returns at once. */
		rv = SCardGetStatusChange(p->ctx, cur == SCARD_STATE_UNAWARE ? 0 : left, &rs, 1);
		if (rv == SCARD_E_UNKNOWN_READER ||
		    (rv == SCARD_S_SUCCESS && (rs.dwEventState & SCARD_STATE_UNKNOWN) != 0)) {
			/* The reader went away: no card in it; wait for it to return. */
			p->reader[0] = '\0';
			if (!present) {
				return 0;
			}
			if (hal_ms_left(&deadline) == 0) {
				return KIOSK_ERR_TIMEOUT;
			}
			continue;
		}
		if (rv != SCARD_S_SUCCESS) {
			rc = fail(p, rv);
			if (rc == KIOSK_ERR_READER_GONE) {
				drop_ctx(p);
			}
			return rc;
		}
		if (((rs.dwEventState & SCARD_STATE_PRESENT) != 0) == present) {
			return 0;
		}
		cur = rs.dwEventState;
	}
}

static int pcsc_connect(void *priv, struct hal_card_info *info)
{
	struct pcsc_priv *p = priv;
	struct hal_part10_features feats;
	struct pcsc_conn *c;
	LONG rv = SCARD_S_SUCCESS;
	int rc;

	if (p->conn != NULL || p->dead) {
		(void)pcsc_disconnect(p);
	}
	rc = ensure_ctx(p);
	if (rc != 0) {
		return rc;
	}
	if (p->reader[0] == '\0') {
		rc = find_reader(p, NULL);
		if (rc != 0) {
			return rc;
		}
	}
	rc = conn_start(p, &c);
	if (rc != 0) {
		return rc;
	}
	rc = run_job(p, c, JOB_CONNECT, &rv);
	if (rc != 0) {
		return rc; /* abandoned to the worker */
	}
	if (rv != SCARD_S_SUCCESS) {
		conn_put(c); /* the worker has quit after the failure */
		return fail(p, rv);
	}
	memcpy(info->reader_name, c->reader, sizeof(info->reader_name));
	memcpy(info->atr, c->atr, c->atr_len);
	info->atr_len = c->atr_len;
	memcpy(p->features, c->features, c->features_len);
	p->features_len = c->features_len;
	info->caps = 0;
	if (hal_part10_parse_features(p->features, p->features_len, &feats) == 0 &&
	    hal_part10_find(&feats, HAL_PART10_FEATURE_VERIFY_PIN_DIRECT) != 0 &&
	    !hal_reader_false_pinpad(c->reader)) {
		info->caps |= HAL_READER_CAP_PINPAD;
		if (hal_part10_pin_limits(c->pin_props, c->pin_props_len, &info->pin_min,
					  &info->pin_max, &info->pin_display) != 0) {
			info->pin_min = info->pin_max = 0;
			info->pin_display = false;
		}
	}
	p->conn = c;
	return 0;
}

static int pcsc_transmit(void *priv, const uint8_t *capdu, size_t clen, uint8_t *rapdu,
			 size_t rcap, size_t *rlen)
{
	struct pcsc_priv *p = priv;
	struct pcsc_conn *c = p->conn;
	LONG rv = SCARD_S_SUCCESS;
	int rc;

	*rlen = 0;
	if (p->dead) {
		return KIOSK_ERR_CARD_TIMEOUT;
	}
	if (c == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (clen == 0 || clen > CMD_CAP) {
		return KIOSK_ERR_INVALID_ARG;
	}
	/* The worker is idle between jobs; the mutex in run_job orders this copy. */
	memcpy(c->cmd, capdu, clen);
	c->clen = clen;
	rc = run_job(p, c, JOB_TRANSMIT, &rv);
	if (rc != 0) {
		p->conn = NULL;
		p->dead = true;
		return rc;
	}
	if (rv != SCARD_S_SUCCESS) {
		return fail(p, rv);
	}
	if (c->rlen > rcap) {
		rc = KIOSK_ERR_BUFFER_TOO_SMALL;
	} else {
		memcpy(rapdu, c->rsp, c->rlen);
		*rlen = c->rlen;
	}
	mbedtls_platform_zeroize(c->rsp, c->rlen);
	c->rlen = 0;
	return rc;
}

static int pcsc_get_features(void *priv, uint8_t *buf, size_t cap, size_t *len)
{
	struct pcsc_priv *p = priv;

	if (p->dead) {
		return KIOSK_ERR_CARD_TIMEOUT;
	}
	if (p->conn == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (p->features_len > cap) {
		return KIOSK_ERR_BUFFER_TOO_SMALL;
	}
	if (p->features_len > 0) {
		memcpy(buf, p->features, p->features_len);
	}
	*len = p->features_len;
	return 0;
}

static int pcsc_verify_pin_direct(void *priv, const uint8_t *pvs, size_t len, uint8_t *sw,
				  size_t *swlen)
{
	struct pcsc_priv *p = priv;
	struct pcsc_conn *c = p->conn;
	struct hal_part10_features feats;
	uint32_t ioctl = 0;
	unsigned keypad_s;
	LONG rv = SCARD_S_SUCCESS;
	int rc;

	*swlen = 0;
	if (p->dead) {
		return KIOSK_ERR_CARD_TIMEOUT;
	}
	if (c == NULL || len == 0 || len > CMD_CAP) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (hal_part10_parse_features(p->features, p->features_len, &feats) == 0) {
		ioctl = hal_part10_find(&feats, HAL_PART10_FEATURE_VERIFY_PIN_DIRECT);
	}
	if (ioctl == 0 || hal_reader_false_pinpad(c->reader)) {
		return KIOSK_ERR_NOT_SUPPORTED;
	}
	/* bTimerOut is the first byte of PIN_VERIFY_STRUCTURE; 0 = the reader's default. */
	keypad_s = pvs[0] != 0 ? pvs[0] : PINPAD_DEFAULT_TIMEOUT_S;
	memcpy(c->cmd, pvs, len);
	c->clen = len;
	c->ioctl = (DWORD)ioctl;
	rc = run_job_ms(c, JOB_CONTROL, &rv, keypad_s * 1000u + PINPAD_MARGIN_MS);
	if (rc != 0) {
		p->conn = NULL;
		p->dead = true;
		return rc;
	}
	if (rv != SCARD_S_SUCCESS) {
		return fail(p, rv);
	}
	if (c->rlen != 2) {
		rc = KIOSK_ERR_CARD_PROTOCOL;
	} else {
		sw[0] = c->rsp[0];
		sw[1] = c->rsp[1];
		*swlen = 2;
	}
	mbedtls_platform_zeroize(c->rsp, c->rlen);
	c->rlen = 0;
	return rc;
}

long hal_reader_pcsc_last_lib_err(const struct hal_reader *r)
{
	const struct pcsc_priv *p;

	if (r == NULL || r->ops != &hal_reader_pcsc || r->priv == NULL) {
		return 0;
	}
	p = r->priv;
	return (long)p->last_lib_err;
}

const struct hal_reader_ops hal_reader_pcsc = {
	.name = "pcsc",
	.priv_size = sizeof(struct pcsc_priv),
	.open = pcsc_open,
	.close = pcsc_close,
	.wait_card = pcsc_wait_card,
	.connect = pcsc_connect,
	.transmit = pcsc_transmit,
	.disconnect = pcsc_disconnect,
	.get_features = pcsc_get_features,
	.verify_pin_direct = pcsc_verify_pin_direct,
};
