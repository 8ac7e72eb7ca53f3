/* SPDX-License-Identifier: MIT */
/*
 * The PIN-pad path through the real stack: firmware -> reader HAL (pcsc) ->
 * libpcsclite -> pcscd -> tools/pinpad-ifd (a part 10 reader with a virtual
 * keypad) -> tools/cardsim. Run under tools/rig with KIOSK_RIG_IFD_LIB set:
 *   pinpad_scenarios <scenario> <persona>
 *
 * The test plays the resident at the keypad WITHOUT ever holding the PIN: a
 * child shell reads it from the persona file and "types" it into the driver's
 * keypad file ($KIOSK_RIG_DIR/keypad). The memory check runs in a separate
 * process (this binary re-executed as "--scan PID persona"), which alone
 * learns the PIN and searches the kiosk process's /proc/PID/mem for it.
 *
 * pin_not_in_kiosk_memory runs the kiosk as a separate process (this binary
 * re-executed as "--kiosk pinpad|stdin", a fresh address space that never held
 * the PIN) and searches it with tests/integration/memscan --writable-anon at
 * fixed checkpoints the kiosk stops at.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <mbedtls/platform_util.h>

#include "hal/reader.h"
#include "kiosk/err.h"
#include "kiosk/mynacard.h"
#include "kiosk/vault.h"
#include "card_flow.h"
#include "simctl.h"

#define WAIT_MS 5000u
#define KEYPAD_S 10u
/* Regions above this are sanitizer shadow or reservations, not data. */
#define SCAN_REGION_MAX ((size_t)1 << 30)

static struct mnc_anchors *anchors;
static struct kiosk_vault vault;
static const char *persona_name;
static const char *self_exe;

struct kiosk {
	struct hal_reader r;
	struct mnc_session s;
	bool have_session;
};

static long sim_stat(const char *key)
{
	char reply[256];

	assert_int_equal(simctl_cmd(NULL, "stats", reply, sizeof(reply)), 0);
	return simctl_stat(reply, key);
}

static void sim(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sim(const char *fmt, ...)
{
	char cmd[1200];
	char reply[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (simctl_cmd(NULL, cmd, reply, sizeof(reply)) != 0) {
		fail_msg("simulator refused '%s': %s", cmd, reply);
	}
}

static long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000L + ts.tv_nsec / 1000L;
}

static void keypad_path(char *buf, size_t cap)
{
	snprintf(buf, cap, "%s/keypad", getenv("KIOSK_RIG_DIR"));
}

/* Keys typed ahead for a VERIFY that never came (the card left first). */
static void keypad_clear(void)
{
	char kp[4096];

	keypad_path(kp, sizeof(kp));
	(void)unlink(kp);
}

/*
 * The resident's fingers: after @delay_ms, a child shell writes @what into the
 * keypad file. "pin" = the persona's PIN (read by the shell, never by us),
 * "wrong" = the persona's PIN with every digit shifted by one, "cancel".
 */
static pid_t type_on_keypad(const char *what, unsigned delay_ms)
{
	static const char script[] =
		"sleep \"$1\"; k=\"$2\"; "
		"pin=$(sed -n 's/.*\"pin\"[^\"]*\"\\([0-9]*\\)\".*/\\1/p' \"$3\"); "
		"case \"$4\" in "
		"pin) v=$pin ;; wrong) v=$(printf %s \"$pin\" | tr 0-9 1-90) ;; *) v=$4 ;; esac; "
		"printf '%s\\n' \"$v\" > \"$k.tmp\" && mv \"$k.tmp\" \"$k\"";
	char delay[32];
	char kp[4096];
	char persona[4096];
	pid_t pid;

	snprintf(delay, sizeof(delay), "%u.%03u", delay_ms / 1000, delay_ms % 1000);
	keypad_path(kp, sizeof(kp));
	snprintf(persona, sizeof(persona), "%s/%s.json", getenv("KIOSK_PERSONAS"), persona_name);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", script, "sh", delay, kp, persona, what, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void reap(pid_t pid)
{
	int st = 0;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/*
 * card_swap() for the PIN-pad reader: pull the card, wait until pcscd sees the
 * slot empty, @insert_cmd ("insert" / "load FILE"), wait until it sees a card.
 */
static void swap_card(const char *insert_cmd)
{
	struct hal_reader r;
	struct hal_reader_config cfg = { .name_pattern = "Virtual PIN pad" };
	char reply[256];

	hal_reader_init(&r);
	assert_int_equal(hal_reader_open(&r, hal_reader_backend("pcsc"), &cfg), 0);
	/* The card may already be out (a removal fault fired): that is fine. */
	(void)simctl_cmd(NULL, "remove", reply, sizeof(reply));
	assert_int_equal(hal_reader_wait_card(&r, false, WAIT_MS), 0);
	if (simctl_cmd(NULL, insert_cmd, reply, sizeof(reply)) != 0) {
		fail_msg("simulator refused '%s': %s", insert_cmd, reply);
	}
	assert_int_equal(hal_reader_wait_card(&r, true, WAIT_MS), 0);
	hal_reader_close(&r);
}

/* A fresh card for @persona (faults off, counters as in the persona); log cleared. */
static void use_persona(const char *persona)
{
	char cmd[1200];

	snprintf(cmd, sizeof(cmd), "load %s/%s.json", getenv("KIOSK_PERSONAS"), persona);
	swap_card(cmd);
	sim("clear");
	persona_name = persona;
}

struct pp_outcome {
	int rc;
	unsigned apdus;      /* the reader's count, the keypad VERIFY included */
	bool verified;       /* the keypad's PIN unlocked the card */
	bool parsed;         /* personal data parsed (only after a verified chain) */
	enum mnc_chain_result chain;
	bool vault_wiped;
	long us;
};

/*
 * The kiosk's whole card phase with the PIN on the keypad, on a fresh
 * connection: the PIN is typed ahead (the driver keeps it for the next
 * VERIFY), then select, certificate, tries, keypad VERIFY, reads, chain,
 * parse, presence proof; unpower and wipe on every path, as card_flow_read().
 */
static void pinpad_read(bool presence, unsigned apdu_timeout_ms, struct pp_outcome *o)
{
	static const uint8_t nonce[32] = "kiosk-test-nonce-0123456789abcd";
	struct hal_reader r;
	struct hal_reader_config cfg = { .name_pattern = "Virtual PIN pad",
					 .apdu_timeout_ms = apdu_timeout_ms };
	struct mnc_options opt = { .presence_proof = presence, .allow_sfi = true,
				   .allow_extended = true };
	struct mnc_session s;
	bool have_session = false;
	int tries = -1;
	long t0;
	int rc;

	if (cfg.apdu_timeout_ms == 0) {
		cfg.apdu_timeout_ms = 5000;
	}
	memset(o, 0, sizeof(*o));
	reap(type_on_keypad("pin", 0));
	t0 = now_us();
	hal_reader_init(&r);
	rc = hal_reader_open(&r, hal_reader_backend("pcsc"), &cfg);
	if (rc == 0) {
		rc = hal_reader_wait_card(&r, true, WAIT_MS);
	}
	if (rc == 0) {
		rc = hal_reader_connect(&r);
	}
	if (rc == 0) {
		rc = mnc_session_init(&s, &r, &vault, anchors, NULL, &opt);
		have_session = rc == 0;
	}
	if (have_session) {
		rc = mnc_select_ap(&s);
		if (rc == 0) {
			rc = mnc_read_certificate(&s);
		}
		if (rc == 0) {
			rc = mnc_query_tries(&s, &tries);
		}
		if (rc == 0) {
			rc = mnc_verify_pin_pinpad(&s, KEYPAD_S, &tries);
			o->verified = rc == 0 && s.pin_verified;
		}
		if (rc == 0) {
			rc = mnc_read_personal(&s);
		}
		if (rc == 0) {
			rc = mnc_verify_chain(&s);
		}
		if (rc == 0) {
			rc = mnc_parse_personal(&s);
			o->parsed = rc == 0;
		}
		if (rc == 0 && presence) {
			rc = mnc_prove_presence(&s, nonce, sizeof(nonce));
		}
		o->chain = s.chain;
		mnc_session_end(&s);
	}
	o->apdus = r.apdu_count;
	o->rc = rc;
	hal_reader_close(&r);
	kiosk_vault_wipe(&vault);
	o->vault_wiped = kiosk_vault_is_wiped(&vault);
	o->us = now_us() - t0;
	keypad_clear();
}

/* Open, connect, select, certificate, tries query: the kiosk up to the PIN. */
static void kiosk_up(struct kiosk *k, int want_query_rc)
{
	struct hal_reader_config cfg = { .name_pattern = "Virtual PIN pad",
					 .apdu_timeout_ms = 5000 };
	struct mnc_options opt = { .allow_sfi = true, .allow_extended = true };
	int tries = -1;

	memset(k, 0, sizeof(*k));
	hal_reader_init(&k->r);
	assert_int_equal(hal_reader_open(&k->r, hal_reader_backend("pcsc"), &cfg), 0);
	assert_int_equal(hal_reader_wait_card(&k->r, true, WAIT_MS), 0);
	assert_int_equal(hal_reader_connect(&k->r), 0);
	/* The reader's part 10 feature list made it a PIN pad. */
	assert_true((k->r.info.caps & HAL_READER_CAP_PINPAD) != 0);
	/* ... with the limits from its GET_TLV_PROPERTIES: 4..4 digits, no display. */
	assert_int_equal(k->r.info.pin_min, 4);
	assert_int_equal(k->r.info.pin_max, 4);
	assert_false(k->r.info.pin_display);
	assert_int_equal(mnc_session_init(&k->s, &k->r, &vault, anchors, NULL, &opt), 0);
	k->have_session = true;
	assert_int_equal(mnc_select_ap(&k->s), 0);
	assert_int_equal(mnc_read_certificate(&k->s), 0);
	assert_int_equal(mnc_query_tries(&k->s, &tries), want_query_rc);
}

static void kiosk_down(struct kiosk *k)
{
	if (k->have_session) {
		mnc_session_end(&k->s);
	}
	hal_reader_close(&k->r);
	kiosk_vault_wipe(&vault);
	assert_true(kiosk_vault_is_wiped(&vault));
}

/* --- the memory check (runs in the re-executed scanner process) --- */

static size_t count_in(const uint8_t *buf, size_t n, const char *pin, size_t plen)
{
	size_t hits = 0;

	for (size_t i = 0; i + plen <= n; i++) {
		if (memcmp(buf + i, pin, plen) == 0) {
			hits++;
		}
	}
	return hits;
}

/* Occurrences of the PIN digits in @pid's writable memory; -1 on error. */
static long scan_pid(pid_t pid, const char *pin)
{
	char path[64];
	char line[512];
	uint8_t *buf;
	size_t plen = strlen(pin);
	size_t cap = (size_t)1 << 20;
	long hits = 0;
	FILE *maps;
	int mem;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	maps = fopen(path, "r");
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	mem = open(path, O_RDONLY);
	buf = malloc(cap + plen);
	if (maps == NULL || mem < 0 || buf == NULL) {
		hits = -1;
		goto out;
	}
	while (fgets(line, sizeof(line), maps) != NULL) {
		unsigned long lo, hi;
		char perms[8];
		size_t keep = 0;

		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 || perms[0] != 'r' ||
		    hi - lo > SCAN_REGION_MAX || strstr(line, "[vvar]") != NULL ||
		    strstr(line, "[vsyscall]") != NULL) {
			continue;
		}
		/* Program text and read-only data hold digit tables ("0123456789"):
		 * only memory the process can write can have received a PIN. */
		if (perms[1] != 'w') {
			continue;
		}
		for (unsigned long at = lo; at < hi;) {
			size_t want = hi - at < cap ? (size_t)(hi - at) : cap;
			ssize_t n = pread(mem, buf + keep, want, (off_t)at);

			if (n <= 0) {
				break;
			}
			hits += (long)count_in(buf, keep + (size_t)n, pin, plen);
			/* Keep a tail so a match across chunks is seen (once). */
			keep = (size_t)n >= plen - 1 ? plen - 1 : 0;
			if (keep > 0) {
				memmove(buf, buf + (size_t)n, keep);
			}
			at += (unsigned long)n;
		}
	}
out:
	if (buf != NULL) {
		free(buf);
	}
	if (mem >= 0) {
		close(mem);
	}
	if (maps != NULL) {
		fclose(maps);
	}
	return hits;
}

static int scanner_main(pid_t pid, const char *persona)
{
	struct persona p;
	long hits;

	if (persona_load(persona, &p) != 0) {
		return 2;
	}
	hits = scan_pid(pid, p.pin);
	memset(&p, 0, sizeof(p));
	if (hits < 0) {
		return 2;
	}
	printf("%ld\n", hits);
	return 0;
}

/* How many times the kiosk process's writable memory holds the PIN. */
static long pin_hits_in_self(void)
{
	char pid[16];
	char out[64] = { 0 };
	int fds[2];
	pid_t child;
	ssize_t n;

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	assert_int_equal(pipe(fds), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execl(self_exe, self_exe, "--scan", pid, persona_name, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	n = read(fds[0], out, sizeof(out) - 1);
	close(fds[0]);
	reap(child);
	assert_true(n > 0);
	return strtol(out, NULL, 10);
}

/* --- scenarios --- */

/* Control: the persona file (which holds the PIN) loaded into the heap is seen. */
static void scanner_sees_a_planted_pin(long before_hits)
{
	char path[4096];
	char *text;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.json", getenv("KIOSK_PERSONAS"), persona_name);
	f = fopen(path, "r");
	assert_non_null(f);
	text = calloc(1, 1 << 16);
	assert_non_null(text);
	n = fread(text, 1, (1 << 16) - 1, f);
	fclose(f);
	assert_true(n > 0);
	assert_true(pin_hits_in_self() > before_hits);
	explicit_bzero(text, n);
	free(text);
}

static void unlock_and_read(void)
{
	struct kiosk k;
	long before_hits;
	long verify0, tries0;
	int tries = -1;
	pid_t typist;

	before_hits = pin_hits_in_self();
	kiosk_up(&k, 0);
	verify0 = sim_stat("verify");
	tries0 = sim_stat("tries");
	typist = type_on_keypad("pin", 300);
	assert_int_equal(mnc_verify_pin_pinpad(&k.s, KEYPAD_S, &tries), 0);
	reap(typist);
	assert_true(k.s.pin_verified);
	assert_int_equal(sim_stat("verify") - verify0, 1);
	assert_int_equal(sim_stat("tries"), tries0);
	/* The card is unlocked and the PIN never reached this process (searched
	 * before any personal data is read: a persona's data may hold the same
	 * four digits). */
	assert_true(pin_hits_in_self() <= before_hits);
	/* The keypad's PIN unlocked the card: protected EFs read, chain verified. */
	assert_int_equal(mnc_read_personal(&k.s), 0);
	assert_int_equal(mnc_verify_chain(&k.s), 0);
	assert_int_equal(k.s.chain, MNC_CHAIN_OK);
	assert_int_equal(mnc_parse_personal(&k.s), 0);
	kiosk_down(&k);
	/* Nor after the session (everything read is wiped by now). */
	assert_true(pin_hits_in_self() <= before_hits);
	printf("pin occurrences in kiosk memory: %ld before, none added\n", before_hits);
	scanner_sees_a_planted_pin(before_hits);
}

static void happy_path_sfi(void **state)
{
	(void)state;
	unlock_and_read();
}

static void happy_path_selected(void **state)
{
	(void)state;
	unlock_and_read(); /* no_sfi persona: VERIFY 00 20 00 80 after SELECT 0011 */
}

static void wrong_pin_costs_one_try(void **state)
{
	struct kiosk k;
	long verify0, tries0;
	int tries = -1;
	pid_t typist;

	(void)state;
	kiosk_up(&k, 0);
	verify0 = sim_stat("verify");
	tries0 = sim_stat("tries");
	typist = type_on_keypad("wrong", 200);
	assert_int_equal(mnc_verify_pin_pinpad(&k.s, KEYPAD_S, &tries), KIOSK_ERR_PIN_INCORRECT);
	reap(typist);
	assert_int_equal(tries, tries0 - 1);
	assert_int_equal(sim_stat("tries"), tries0 - 1);
	assert_int_equal(sim_stat("verify") - verify0, 1); /* exactly one, never retried */
	assert_false(k.s.pin_verified);
	assert_int_equal(mnc_read_personal(&k.s), KIOSK_ERR_PIN_NOT_VERIFIED);
	kiosk_down(&k);
}

static void keypad_timeout(void **state)
{
	struct kiosk k;
	long verify0, tries0;
	int tries = -1;

	(void)state;
	kiosk_up(&k, 0);
	verify0 = sim_stat("verify");
	tries0 = sim_stat("tries");
	/* Nobody types: the reader gives up after bTimerOut. */
	assert_int_equal(mnc_verify_pin_pinpad(&k.s, 2, &tries), KIOSK_ERR_PIN_TIMEOUT);
	assert_int_equal(sim_stat("verify"), verify0);
	assert_int_equal(sim_stat("tries"), tries0);
	assert_int_equal(k.s.verify_sent, 0);
	/* The connection is still good: the resident may try again. */
	{
		pid_t typist = type_on_keypad("pin", 100);

		assert_int_equal(mnc_verify_pin_pinpad(&k.s, KEYPAD_S, &tries), 0);
		reap(typist);
	}
	kiosk_down(&k);
}

static void keypad_cancel(void **state)
{
	struct kiosk k;
	long verify0, tries0;
	int tries = -1;
	pid_t typist;

	(void)state;
	kiosk_up(&k, 0);
	verify0 = sim_stat("verify");
	tries0 = sim_stat("tries");
	typist = type_on_keypad("cancel", 200);
	assert_int_equal(mnc_verify_pin_pinpad(&k.s, KEYPAD_S, &tries), KIOSK_ERR_PIN_CANCELLED);
	reap(typist);
	assert_int_equal(sim_stat("verify"), verify0);
	assert_int_equal(sim_stat("tries"), tries0);
	assert_int_equal(k.s.verify_sent, 0);
	kiosk_down(&k);
}

/* The card leaves while the resident is still typing: a transport error, and
 * the firmware insists on a fresh tries query before any other VERIFY. */
static void card_removed_while_typing(void **state)
{
	struct kiosk k;
	char reply[256];
	int tries = -1;
	int rc;
	pid_t puller;

	(void)state;
	kiosk_up(&k, 0);
	puller = fork();
	assert_true(puller >= 0);
	if (puller == 0) {
		usleep(500 * 1000);
		_exit(simctl_cmd(NULL, "remove", reply, sizeof(reply)) == 0 ? 0 : 1);
	}
	rc = mnc_verify_pin_pinpad(&k.s, KEYPAD_S, &tries);
	reap(puller);
	assert_true(rc == KIOSK_ERR_CARD_REMOVED || rc == KIOSK_ERR_READER_GONE);
	assert_false(k.s.tries_queried);
	assert_int_equal(sim_stat("verify"), 0);
	assert_int_equal(mnc_verify_pin_pinpad(&k.s, KEYPAD_S, &tries), KIOSK_ERR_INVALID_ARG);
	kiosk_down(&k);
}

static void blocked_card_no_keypad(void **state)
{
	struct kiosk k;
	struct stat st;
	char kp[4096];
	int tries = -1;
	pid_t typist;

	(void)state;
	kiosk_up(&k, KIOSK_ERR_PIN_BLOCKED);
	typist = type_on_keypad("wrong", 0);
	reap(typist);
	assert_int_equal(mnc_verify_pin_pinpad(&k.s, KEYPAD_S, &tries), KIOSK_ERR_PIN_BLOCKED);
	assert_int_equal(sim_stat("verify"), 0);
	/* The reader was never asked: the typed keys are still waiting. */
	keypad_path(kp, sizeof(kp));
	assert_int_equal(stat(kp, &st), 0);
	unlink(kp);
	kiosk_down(&k);
}

/* The card leaves after each APDU of the longest sequence in turn (short
 * APDUs, presence proof), the keypad VERIFY included. */
static void removed_at_every_step(void **state)
{
	struct pp_outcome o;
	unsigned total;

	(void)state;
	use_persona("no_ext");
	pinpad_read(true, 0, &o);
	if (o.rc != 0) {
		fail_msg("reference read: %s", kiosk_err_name(o.rc));
	}
	assert_true(o.verified);
	assert_int_equal(o.chain, MNC_CHAIN_OK);
	total = o.apdus;
	/* The keypad's VERIFY reached the card as one APDU, counted on both sides. */
	assert_int_equal((long)total, sim_stat("apdus"));
	assert_int_equal(sim_stat("verify"), 1);
	for (unsigned k = 1; k < total; k++) {
		sim("clear");
		sim("fault reinsert_ms 0");
		sim("fault remove_after %u", k);
		pinpad_read(true, 0, &o);
		if (o.rc != KIOSK_ERR_CARD_REMOVED) {
			fail_msg("removal after APDU %u of %u gave %s", k, total,
				 kiosk_err_name(o.rc));
		}
		assert_true(o.vault_wiped);
		assert_true(o.us < 3000000); /* no hang */
		/* APDU k was answered; APDU k + 1 met the empty slot. */
		assert_true(o.apdus == k || o.apdus == k + 1);
		assert_true(sim_stat("verify") <= 1); /* never a second VERIFY */
		swap_card("insert");
	}
	/* No removal cost a PIN try; the card still reads. */
	assert_int_equal(sim_stat("tries"), 3);
	sim("clear");
	pinpad_read(true, 0, &o);
	assert_int_equal(o.rc, 0);
	printf("pinpad: removed at each of %u steps: CARD_REMOVED, vault wiped\n", total - 1);
}

/* The card goes mute after @n APDUs; the resident then pulls it and the next read works. */
static void mute_after(unsigned n, unsigned timeout_ms, struct pp_outcome *o)
{
	struct pp_outcome next;

	use_persona("standard");
	sim("fault mute_after %u", n);
	pinpad_read(false, timeout_ms, o);
	printf("pinpad: mute after %u: %s after %u APDUs, %ld ms\n", n, kiosk_err_name(o->rc),
	       o->apdus, o->us / 1000);
	assert_int_equal(o->apdus, n + 1);
	assert_false(o->parsed);
	assert_true(o->vault_wiped);
	assert_int_equal(sim_stat("tries"), 3); /* a mute card costs no try */
	sim("fault mute_after -1");
	swap_card("insert");
	sim("clear");
	pinpad_read(false, 0, &next);
	assert_int_equal(next.rc, 0);
	assert_true(next.parsed);
	assert_int_equal(sim_stat("verify"), 1);
}

/*
 * APDUs the kiosk transmits itself run under its watchdog (apdu_timeout_ms);
 * the keypad VERIFY is bounded by the reader instead (pinpad-ifd gives up on
 * a silent card after 10 s and reports it gone, as a CCID reader's own timeout
 * would), well within the keypad wait the kiosk allows (KEYPAD_S + margin).
 */
static void mute_card_watchdog(void **state)
{
	struct pp_outcome o;

	(void)state;
	/* Before the PIN: the tries query (APDU 3) gets no answer. */
	mute_after(2, 1000, &o);
	assert_int_equal(o.rc, KIOSK_ERR_CARD_TIMEOUT);
	assert_true(o.us >= 1000000 && o.us < 2500000);
	assert_false(o.verified);
	/* After the keypad unlocked the card: the first protected read. */
	mute_after(4, 1000, &o);
	assert_int_equal(o.rc, KIOSK_ERR_CARD_TIMEOUT);
	assert_true(o.us >= 1000000 && o.us < 2500000);
	assert_true(o.verified);
	/* At the keypad VERIFY itself. */
	mute_after(3, 1000, &o);
	assert_true(o.rc == KIOSK_ERR_CARD_REMOVED || o.rc == KIOSK_ERR_CARD_TIMEOUT);
	assert_true(o.us < (KEYPAD_S + 3) * 1000000L);
	assert_false(o.verified);
}

static void tampered_data(void **state)
{
	static const struct {
		const char *fault, *value;
		int rc;
		enum mnc_chain_result step;
	} cases[] = {
		{ "tamper", "my_number", KIOSK_ERR_CHAIN_MYNUMBER_HASH, MNC_CHAIN_MY_NUMBER_HASH },
		{ "tamper", "basic4", KIOSK_ERR_CHAIN_BASIC4_HASH, MNC_CHAIN_BASIC4_HASH },
		{ "tamper", "record", KIOSK_ERR_CHAIN_RECORD, MNC_CHAIN_RECORD },
		{ "tamper", "cert", KIOSK_ERR_CHAIN_CERT, MNC_CHAIN_CERT },
		{ "unknown_ca", "1", KIOSK_ERR_CHAIN_UNKNOWN_CA, MNC_CHAIN_UNKNOWN_CA },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pp_outcome o;

		use_persona("standard");
		sim("fault %s %s", cases[i].fault, cases[i].value);
		pinpad_read(false, 0, &o);
		if (o.rc != cases[i].rc) {
			fail_msg("%s=%s gave %s", cases[i].fault, cases[i].value,
				 kiosk_err_name(o.rc));
		}
		assert_true(o.verified); /* the keypad's PIN was right ... */
		assert_int_equal(sim_stat("verify"), 1);
		assert_int_equal(o.chain, cases[i].step); /* ... the data was not */
		assert_false(o.parsed); /* never parsed, never used */
		assert_true(o.vault_wiped);
	}
}

/* --- the kiosk as its own process, searched with memscan --- */

/* Child side: one report line to the test, then wait for its go-ahead byte. */
static int kiosk_checkpoint(const char *what)
{
	char c;

	if (dprintf(STDOUT_FILENO, "%s\n", what) < 0) {
		return -1;
	}
	while (read(STDIN_FILENO, &c, 1) < 0) {
		if (errno != EINTR) {
			return -1;
		}
	}
	return 0;
}

/* The PIN from stdin straight into the vault, as the kiosk's on-screen keypad does. */
static int kiosk_read_pin(char *buf, size_t cap, size_t *len)
{
	size_t n = 0;

	while (n < cap) {
		ssize_t r = read(STDIN_FILENO, buf + n, 1);

		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0 || buf[n] == '\n') {
			break;
		}
		n++;
	}
	*len = n;
	return n > 0 ? 0 : -1;
}

/*
 * "--kiosk pinpad|stdin": the card phase in a process of its own. Reports
 * "unlocked" once VERIFY succeeded (stdin: "pin_held" first, with the PIN in
 * its vault) and "wiped" after the session ended; waits for a byte from the
 * test after each. Exit 0 only when every step succeeded.
 */
static int kiosk_main(const char *mode)
{
	static const uint8_t nonce[32] = "kiosk-test-nonce-0123456789abcd";
	struct hal_reader_config cfg = { .name_pattern = "Virtual PIN pad",
					 .apdu_timeout_ms = 5000 };
	struct mnc_options opt = { .presence_proof = true, .allow_sfi = true,
				   .allow_extended = true };
	bool pinpad = strcmp(mode, "pinpad") == 0;
	struct hal_reader r;
	struct mnc_session s;
	char dir[4096];
	char *pin = NULL;
	size_t pin_len = 0;
	int tries = -1;
	int rc;

	/* The scanner is the test's other child, not our parent (Yama scope 1). */
	(void)prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
	snprintf(dir, sizeof(dir), "%s/anchors", getenv("KIOSK_TEST_PKI"));
	kiosk_vault_init(&vault);
	hal_reader_init(&r);
	if (kiosk_vault_setup(&vault, KIOSK_VAULT_DEFAULT_SIZE) != 0 ||
	    mnc_anchors_load_dir(&anchors, dir, false) != 0 ||
	    hal_reader_open(&r, hal_reader_backend("pcsc"), &cfg) != 0 ||
	    hal_reader_wait_card(&r, true, WAIT_MS) != 0 || hal_reader_connect(&r) != 0 ||
	    mnc_session_init(&s, &r, &vault, anchors, NULL, &opt) != 0) {
		fprintf(stderr, "kiosk: setup failed\n");
		return 1;
	}
	rc = mnc_select_ap(&s);
	if (rc == 0) {
		rc = mnc_read_certificate(&s);
	}
	if (rc == 0) {
		rc = mnc_query_tries(&s, &tries);
	}
	if (rc == 0 && pinpad) {
		rc = mnc_verify_pin_pinpad(&s, KEYPAD_S, &tries);
	} else if (rc == 0) {
		pin = kiosk_vault_alloc(&vault, 16);
		rc = pin == NULL || kiosk_read_pin(pin, 16, &pin_len) != 0 ? KIOSK_ERR_IO : 0;
		if (rc == 0 && kiosk_checkpoint("pin_held") != 0) {
			rc = KIOSK_ERR_IO;
		}
		if (rc == 0) {
			rc = mnc_verify_pin(&s, pin, pin_len, &tries);
		}
		if (pin != NULL) {
			mbedtls_platform_zeroize(pin, 16);
		}
	}
	if (rc == 0 && kiosk_checkpoint("unlocked") != 0) {
		rc = KIOSK_ERR_IO;
	}
	if (rc == 0) {
		rc = mnc_read_personal(&s);
	}
	if (rc == 0) {
		rc = mnc_verify_chain(&s);
	}
	if (rc == 0) {
		rc = mnc_parse_personal(&s);
	}
	if (rc == 0) {
		rc = mnc_prove_presence(&s, nonce, sizeof(nonce));
	}
	mnc_session_end(&s);
	hal_reader_close(&r);
	kiosk_vault_wipe(&vault);
	if (rc != 0) {
		fprintf(stderr, "kiosk: %s\n", kiosk_err_name(rc));
		return 1;
	}
	if (!kiosk_vault_is_wiped(&vault) || kiosk_checkpoint("wiped") != 0) {
		return 1;
	}
	mnc_anchors_free(anchors);
	kiosk_vault_free(&vault);
	return 0;
}

struct kiosk_proc {
	pid_t pid;
	int to;   /* its stdin */
	FILE *from; /* its stdout */
};

static void kiosk_spawn(struct kiosk_proc *k, const char *mode)
{
	int in[2], out[2];

	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	k->pid = fork();
	assert_true(k->pid >= 0);
	if (k->pid == 0) {
		/* exec: a fresh address space, nothing inherited from the test. */
		dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		execl(self_exe, self_exe, "--kiosk", mode, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	k->to = in[1];
	k->from = fdopen(out[0], "r");
	assert_non_null(k->from);
}

static void kiosk_expect(struct kiosk_proc *k, const char *what)
{
	char line[64] = "";

	if (fgets(line, sizeof(line), k->from) == NULL) {
		fail_msg("kiosk process ended before '%s'", what);
	}
	line[strcspn(line, "\n")] = '\0';
	assert_string_equal(line, what);
}

static void kiosk_go(struct kiosk_proc *k)
{
	assert_int_equal(write(k->to, "g", 1), 1);
}

static void kiosk_finish(struct kiosk_proc *k)
{
	close(k->to);
	fclose(k->from);
	reap(k->pid);
}

/* memscan --writable-anon PID NEEDLES: 0 = not found, 1 = found. */
static int memscan(pid_t pid, const char *needles)
{
	char pidarg[16];
	int st = 0;
	pid_t c;

	snprintf(pidarg, sizeof(pidarg), "%d", (int)pid);
	c = fork();
	assert_true(c >= 0);
	if (c == 0) {
		execl(MEMSCAN_EXE, "memscan", "--writable-anon", pidarg, needles, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(c, &st, 0), c);
	assert_true(WIFEXITED(st));
	assert_true(WEXITSTATUS(st) == 0 || WEXITSTATUS(st) == 1);
	return WEXITSTATUS(st);
}

/*
 * The PIN typed on the reader's keypad never reaches the kiosk process: its
 * writable anonymous memory (heap, stacks, the vault) is searched while the
 * card is unlocked and after the session. Control: the same PIN typed on the
 * kiosk's own keypad (stdin) IS found there while it is held for VERIFY --
 * deterministic, as the kiosk stops with the PIN in its vault until told to go
 * on -- and no longer after the wipe.
 */
static void pin_not_in_kiosk_memory(void **state)
{
	char needles[4096];
	struct kiosk_proc k;
	struct persona p;
	long verify0;
	FILE *f;
	int fd;

	(void)state;
	/* Only the scanner (and this test, never scanned) know the PIN. */
	snprintf(needles, sizeof(needles), "%s/pin.needles", getenv("KIOSK_RIG_DIR"));
	assert_int_equal(persona_load(persona_name, &p), 0);
	fd = open(needles, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", p.pin);
	assert_int_equal(fclose(f), 0);

	/* 1. the reader's keypad */
	verify0 = sim_stat("verify");
	reap(type_on_keypad("pin", 0));
	kiosk_spawn(&k, "pinpad");
	kiosk_expect(&k, "unlocked");
	assert_int_equal(sim_stat("verify") - verify0, 1);
	assert_int_equal(memscan(k.pid, needles), 0);
	kiosk_go(&k);
	kiosk_expect(&k, "wiped");
	assert_int_equal(memscan(k.pid, needles), 0);
	kiosk_go(&k);
	kiosk_finish(&k);

	/* 2. control: the kiosk's own keypad (stdin); the PIN sits in its vault */
	kiosk_spawn(&k, "stdin");
	assert_int_equal(dprintf(k.to, "%s\n", p.pin), (int)strlen(p.pin) + 1);
	kiosk_expect(&k, "pin_held");
	assert_int_equal(memscan(k.pid, needles), 1);
	kiosk_go(&k);
	kiosk_expect(&k, "unlocked");
	kiosk_go(&k);
	kiosk_expect(&k, "wiped");
	/* ... and gone once the session has wiped it (no stray copy on the way). */
	assert_int_equal(memscan(k.pid, needles), 0);
	kiosk_go(&k);
	kiosk_finish(&k);
	assert_int_equal(sim_stat("verify") - verify0, 2);
	assert_int_equal(sim_stat("tries"), p.tries);
	explicit_bzero(&p, sizeof(p));
	unlink(needles);
}

static int group_setup(void **state)
{
	char dir[4096];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/anchors", getenv("KIOSK_TEST_PKI"));
	kiosk_vault_init(&vault);
	if (kiosk_vault_setup(&vault, KIOSK_VAULT_DEFAULT_SIZE) != 0) {
		return -1;
	}
	return mnc_anchors_load_dir(&anchors, dir, false);
}

static int group_teardown(void **state)
{
	(void)state;
	mnc_anchors_free(anchors);
	kiosk_vault_free(&vault);
	return 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest all[] = {
		cmocka_unit_test(happy_path_sfi),
		cmocka_unit_test(happy_path_selected),
		cmocka_unit_test(wrong_pin_costs_one_try),
		cmocka_unit_test(keypad_timeout),
		cmocka_unit_test(keypad_cancel),
		cmocka_unit_test(blocked_card_no_keypad),
		cmocka_unit_test(card_removed_while_typing),
		cmocka_unit_test(removed_at_every_step),
		cmocka_unit_test(mute_card_watchdog),
		cmocka_unit_test(tampered_data),
		cmocka_unit_test(pin_not_in_kiosk_memory),
	};
	struct CMUnitTest one[1];

	if (argc == 4 && strcmp(argv[1], "--scan") == 0) {
		return scanner_main((pid_t)strtol(argv[2], NULL, 10), argv[3]);
	}
	if (argc == 3 && strcmp(argv[1], "--kiosk") == 0) {
		return kiosk_main(argv[2]);
	}
	if (argc != 3 || getenv("KIOSK_RIG_DIR") == NULL) {
		fprintf(stderr, "usage (under tools/rig): %s <scenario> <persona>\n", argv[0]);
		return 2;
	}
	self_exe = "/proc/self/exe";
	persona_name = argv[2];
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (strcmp(all[i].name, argv[1]) == 0) {
			one[0] = all[i];
			return cmocka_run_group_tests(one, group_setup, group_teardown);
		}
	}
	fprintf(stderr, "unknown scenario %s\n", argv[1]);
	return 2;
}
