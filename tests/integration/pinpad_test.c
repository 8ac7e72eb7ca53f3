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
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

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

static void keypad_path(char *buf, size_t cap)
{
	snprintf(buf, cap, "%s/keypad", getenv("KIOSK_RIG_DIR"));
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
	};
	struct CMUnitTest one[1];

	if (argc == 4 && strcmp(argv[1], "--scan") == 0) {
		return scanner_main((pid_t)strtol(argv[2], NULL, 10), argv[3]);
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
