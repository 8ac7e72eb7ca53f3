/* SPDX-License-Identifier: MIT */
/*
 * card_read_bench: read a simulated card N times through the real pcscd
 * (run under tools/rig) in each APDU mode, and print APDUs per read and the
 * time per read (median, p99). Numbers, not pass/fail: the targets are in the
 * issue (<= 10 APDUs short, <= 7 extended; the presence proof adds <= 4 / 2).
 * Then the same over the other reader paths, each a section of its own:
 *   - libnfc + PN532 emulator: the stock pn532_uart driver on a pty, the
 *     emulator in a thread of this process (no rig needed);
 *   - PC/SC + virtual PIN-pad reader (tools/pinpad-ifd): this program runs
 *     itself under a second rig whose pcscd loads that driver
 *     ("--pinpad [N]"), the PIN typed ahead on the virtual keypad.
 *
 *   rig -- card_read_bench [N]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "card_flow.h"
#include "hal/reader.h"
#include "kiosk/err.h"
#include "simctl.h"
#ifdef BENCH_HAVE_NFC
#include "cardsim/cardsim.h"
#include "pn532emu_server.h"
#endif

struct mode {
	const char *name;
	const char *persona; /* short modes use a card whose ATR offers no extended length */
	bool presence;
	bool cache;
};

/* One mode's numbers, one line; the columns of the PC/SC table. */
struct tally {
	long *us;
	int n;
	unsigned apdus_min, apdus_max;
};

static struct kiosk_vault vault;
static struct mnc_anchors *anchors;

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

static void tally_start(struct tally *t)
{
	t->apdus_min = ~0u;
	t->apdus_max = 0;
}

static void tally_add(struct tally *t, int i, const struct outcome *o)
{
	t->us[i] = o->us;
	t->apdus_min = o->apdus < t->apdus_min ? o->apdus : t->apdus_min;
	t->apdus_max = o->apdus > t->apdus_max ? o->apdus : t->apdus_max;
}

static void tally_print(struct tally *t, const char *name)
{
	qsort(t->us, (size_t)t->n, sizeof(*t->us), cmp_long);
	printf("%-26s %5d %6u %6u %12.3f %12.3f\n", name, t->n, t->apdus_min, t->apdus_max,
	       t->us[t->n / 2] / 1000.0, t->us[(t->n * 99) / 100] / 1000.0);
}

static void print_header(void)
{
	printf("%-26s %5s %6s %6s %12s %12s\n", "mode", "reads", "apdus", "max", "median_ms",
	       "p99_ms");
}

static bool read_good(const struct outcome *o, const char *mode, int i)
{
	if (o->rc != 0 || !o->data_matches || !o->vault_wiped) {
		fprintf(stderr, "card_read_bench: %s read %d failed: %s\n", mode, i,
			kiosk_err_name(o->rc));
		return false;
	}
	return true;
}

/* --- PC/SC + vpcd (the rig this program runs under) --- */

static int bench_pcsc(struct tally *t)
{
	static const struct mode modes[] = {
		{ "extended", "standard", false, false },
		{ "extended+presence", "standard", true, false },
		{ "short", "no_ext", false, false },
		{ "short+cert-cache", "no_ext", false, true },
		{ "short+presence", "no_ext", true, false },
		{ "short+cert-cache+presence", "no_ext", true, true },
	};
	struct persona p;
	char cmd[1200];
	int failures = 0;

	print_header();
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		struct mnc_cert_cache *cache = modes[m].cache ? mnc_cert_cache_new(16) : NULL;
		struct read_opts ro = { .presence = modes[m].presence, .cache = cache,
					.expect = &p };
		struct outcome o;

		snprintf(cmd, sizeof(cmd), "load %s/%s.json", getenv("KIOSK_PERSONAS"),
			 modes[m].persona);
		if (persona_load(modes[m].persona, &p) != 0 || card_swap(cmd, 5000) != 0) {
			fprintf(stderr, "card_read_bench: cannot insert persona %s\n",
				modes[m].persona);
			return -1;
		}
		ro.pin = p.pin;
		/* With the cache, the first read fills it; measure the reads after. */
		if (cache != NULL) {
			card_flow_read(&ro, &vault, anchors, &o);
		}
		tally_start(t);
		for (int i = 0; i < t->n; i++) {
			card_flow_read(&ro, &vault, anchors, &o);
			if (!read_good(&o, modes[m].name, i)) {
				failures++;
				break;
			}
			tally_add(t, i, &o);
		}
		tally_print(t, modes[m].name);
		mnc_cert_cache_free(cache);
	}
	return failures;
}

/* --- libnfc + PN532 emulator --- */

#ifdef BENCH_HAVE_NFC
static int bench_nfc(struct tally *t)
{
	/* The nfc backend keeps to short APDUs (libnfc reassembles at most 264 bytes). */
	static const struct mode modes[] = {
		{ "nfc short", "standard", false, false },
		{ "nfc short+cache", "standard", false, true },
		{ "nfc short+presence", "standard", true, false },
		{ "nfc short+cache+presence", "standard", true, true },
	};
	char dir[] = "/tmp/pn532bench-XXXXXX";
	char link[64], conn[96], path[1200], err[256] = "";
	struct cardsim_card *card;
	struct pn532emu_server srv;
	struct persona p;
	int failures = 0;

	if (mkdtemp(dir) == NULL) {
		return -1;
	}
	snprintf(link, sizeof(link), "%s/tty", dir);
	snprintf(conn, sizeof(conn), "pn532_uart:%s", link);
	snprintf(path, sizeof(path), "%s/standard.json", getenv("KIOSK_PERSONAS"));
	card = cardsim_card_load(path, getenv("KIOSK_TEST_PKI"), err, sizeof(err));
	if (card == NULL || persona_load("standard", &p) != 0) {
		fprintf(stderr, "card_read_bench: nfc card: %s\n", err);
		cardsim_card_free(card);
		(void)rmdir(dir);
		return -1;
	}
	cardsim_insert(card);
	if (pn532emu_server_open(&srv, card, link) != 0 || pn532emu_server_start(&srv) != 0) {
		fprintf(stderr, "card_read_bench: cannot start the PN532 emulator\n");
		cardsim_card_free(card);
		(void)rmdir(dir);
		return -1;
	}
	printf("\nlibnfc pn532_uart + PN532 emulator (%s):\n", conn);
	print_header();
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		struct mnc_cert_cache *cache = modes[m].cache ? mnc_cert_cache_new(16) : NULL;
		struct read_opts ro = { .backend = "nfc", .reader_pattern = conn, .pin = p.pin,
					.presence = modes[m].presence, .cache = cache,
					.expect = &p, .apdu_timeout_ms = 10000, .wait_ms = 3000 };
		struct outcome o;

		if (cache != NULL) {
			card_flow_read(&ro, &vault, anchors, &o);
		}
		tally_start(t);
		for (int i = 0; i < t->n; i++) {
			card_flow_read(&ro, &vault, anchors, &o);
			if (!read_good(&o, modes[m].name, i)) {
				failures++;
				break;
			}
			tally_add(t, i, &o);
		}
		tally_print(t, modes[m].name);
		mnc_cert_cache_free(cache);
	}
	pn532emu_server_close(&srv);
	cardsim_card_free(card);
	(void)rmdir(dir);
	return failures;
}
#endif

/* --- PC/SC + virtual PIN-pad reader (under a rig with KIOSK_RIG_IFD_LIB) --- */

#define PINPAD_READER "Virtual PIN pad"

static long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000L + ts.tv_nsec / 1000L;
}

/* The resident types ahead on the reader's keypad; the next VERIFY takes it. */
static int keypad_type(const char *pin)
{
	char kp[1024], tmp[1040];
	FILE *f;

	snprintf(kp, sizeof(kp), "%s/keypad", getenv("KIOSK_RIG_DIR"));
	snprintf(tmp, sizeof(tmp), "%s.tmp", kp);
	f = fopen(tmp, "w");
	if (f == NULL) {
		return -1;
	}
	fprintf(f, "%s\n", pin);
	if (fclose(f) != 0) {
		return -1;
	}
	return rename(tmp, kp);
}

/* The card phase with the keypad VERIFY, timed from opening the reader. */
static void pinpad_read(const struct persona *want, bool presence, struct outcome *o)
{
	static const uint8_t nonce[32] = "kiosk-test-nonce-0123456789abcd";
	struct hal_reader r;
	struct hal_reader_config cfg = { .name_pattern = PINPAD_READER, .apdu_timeout_ms = 5000 };
	struct mnc_options opt = { .presence_proof = presence, .allow_sfi = true,
				   .allow_extended = true };
	struct mnc_session s;
	bool have_session = false;
	int tries = -1;
	long t0;
	int rc;

	memset(o, 0, sizeof(*o));
	rc = keypad_type(want->pin);
	t0 = now_us();
	hal_reader_init(&r);
	if (rc == 0) {
		rc = hal_reader_open(&r, hal_reader_backend("pcsc"), &cfg);
	}
	if (rc == 0) {
		rc = hal_reader_wait_card(&r, true, 5000);
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
		rc = rc ? rc : mnc_read_certificate(&s);
		rc = rc ? rc : mnc_query_tries(&s, &tries);
		rc = rc ? rc : mnc_verify_pin_pinpad(&s, 10, &tries);
		rc = rc ? rc : mnc_read_personal(&s);
		rc = rc ? rc : mnc_verify_chain(&s);
		rc = rc ? rc : mnc_parse_personal(&s);
		if (rc == 0) {
			o->data_matches = strcmp(s.personal->my_number, want->my_number) == 0 &&
					  strcmp(s.personal->name, want->name) == 0 &&
					  strcmp(s.personal->birth_date, want->birth_date) == 0;
		}
		if (rc == 0 && presence) {
			rc = mnc_prove_presence(&s, nonce, sizeof(nonce));
		}
		o->extended = s.extended;
		mnc_session_end(&s);
	}
	o->apdus = r.apdu_count;
	o->rc = rc;
	hal_reader_close(&r);
	kiosk_vault_wipe(&vault);
	o->vault_wiped = kiosk_vault_is_wiped(&vault);
	o->us = now_us() - t0;
}

/* card_swap() for the PIN-pad reader. */
static int pinpad_swap(const char *insert_cmd)
{
	struct hal_reader r;
	struct hal_reader_config cfg = { .name_pattern = PINPAD_READER };
	char reply[256];
	int rc;

	hal_reader_init(&r);
	rc = hal_reader_open(&r, hal_reader_backend("pcsc"), &cfg);
	(void)simctl_cmd(NULL, "remove", reply, sizeof(reply));
	if (rc == 0) {
		rc = hal_reader_wait_card(&r, false, 5000);
	}
	if (rc == 0 && simctl_cmd(NULL, insert_cmd, reply, sizeof(reply)) != 0) {
		rc = -1;
	}
	if (rc == 0) {
		rc = hal_reader_wait_card(&r, true, 5000);
	}
	hal_reader_close(&r);
	return rc;
}

static int bench_pinpad(struct tally *t)
{
	static const struct mode modes[] = {
		{ "pinpad extended", "standard", false, false },
		{ "pinpad extended+presence", "standard", true, false },
		{ "pinpad short", "no_ext", false, false },
		{ "pinpad short+presence", "no_ext", true, false },
	};
	struct persona p;
	char cmd[1200];
	int failures = 0;

	printf("\nPC/SC + virtual PIN-pad reader (pinpad-ifd; PIN typed ahead on its keypad):\n");
	print_header();
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		struct outcome o;

		snprintf(cmd, sizeof(cmd), "load %s/%s.json", getenv("KIOSK_PERSONAS"),
			 modes[m].persona);
		if (persona_load(modes[m].persona, &p) != 0 || pinpad_swap(cmd) != 0) {
			fprintf(stderr, "card_read_bench: cannot insert persona %s\n",
				modes[m].persona);
			return -1;
		}
		tally_start(t);
		for (int i = 0; i < t->n; i++) {
			pinpad_read(&p, modes[m].presence, &o);
			if (!read_good(&o, modes[m].name, i)) {
				failures++;
				break;
			}
			tally_add(t, i, &o);
		}
		tally_print(t, modes[m].name);
	}
	return failures;
}

/* The PIN-pad section under a rig of its own whose pcscd loads pinpad-ifd. */
static int run_pinpad_rig(int n)
{
#if defined(BENCH_RIG_EXE) && defined(BENCH_PINPAD_IFD)
	char count[16];
	char self[4096];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int st = 0;
	pid_t pid;

	if (len <= 0) {
		return -1;
	}
	self[len] = '\0';
	snprintf(count, sizeof(count), "%d", n);
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		return -1;
	}
	if (pid == 0) {
		setenv("KIOSK_RIG_IFD_LIB", BENCH_PINPAD_IFD, 1);
		execl(BENCH_RIG_EXE, "rig", "--persona", "standard", "--timeout", "600", "--",
		      self, "--pinpad", count, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st)) {
		return -1;
	}
	return WEXITSTATUS(st) == 0 ? 0 : 1;
#else
	(void)n;
	return 0;
#endif
}

int main(int argc, char **argv)
{
	bool pinpad_only = argc > 1 && strcmp(argv[1], "--pinpad") == 0;
	int n = argc > 1 + pinpad_only ? atoi(argv[1 + pinpad_only]) : 50;
	struct tally t;
	char dir[1024];
	int failures = 0;
	int rc;

	if (n < 1 || n > 100000) {
		fprintf(stderr, "usage: card_read_bench [--pinpad] [N] (under tools/rig)\n");
		return 2;
	}
	/* The build tree's personas and test PKI unless told otherwise. */
	setenv("KIOSK_PERSONAS", BENCH_PERSONA_DIR, 0);
	setenv("KIOSK_TEST_PKI", BENCH_PKI_DIR, 0);
	snprintf(dir, sizeof(dir), "%s/anchors", getenv("KIOSK_TEST_PKI"));
	kiosk_vault_init(&vault);
	t.n = n;
	t.us = calloc((size_t)n, sizeof(*t.us));
	if (t.us == NULL || kiosk_vault_setup(&vault, KIOSK_VAULT_DEFAULT_SIZE) != 0 ||
	    mnc_anchors_load_dir(&anchors, dir, false) != 0) {
		fprintf(stderr, "card_read_bench: setup failed\n");
		return 1;
	}
	if (pinpad_only) {
		rc = bench_pinpad(&t);
		failures += rc != 0;
	} else {
		rc = bench_pcsc(&t);
		if (rc < 0) {
			return 1;
		}
		failures += rc;
#ifdef BENCH_HAVE_NFC
		rc = bench_nfc(&t);
		failures += rc != 0;
#endif
		/* Our numbers are out before the child's. */
		fflush(stdout);
		failures += run_pinpad_rig(n) != 0;
	}
	mnc_anchors_free(anchors);
	kiosk_vault_free(&vault);
	free(t.us);
	return failures ? 1 : 0;
}
