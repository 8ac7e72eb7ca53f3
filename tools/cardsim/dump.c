/* SPDX-License-Identifier: MIT */
/*
 * "cardsim dump --persona FILE --pki DIR --out DIR [--fault name=value]...":
 * the card's EFs as ef0001.bin .. ef0008.bin plus atr.bin, for QA to inspect
 * with a hex viewer. Test personas only; the files hold their invented data.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frontend.h"
#include "kiosk/err.h"

static int write_file(const char *dir, const char *name, const uint8_t *data, size_t len)
{
	char path[4096];
	size_t off = 0;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
		return KIOSK_ERR_INVALID_ARG;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "cardsim dump: cannot create %s: %s\n", path, strerror(errno));
		return KIOSK_ERR_IO;
	}
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);

		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			fprintf(stderr, "cardsim dump: cannot write %s\n", path);
			close(fd);
			return KIOSK_ERR_IO;
		}
		off += (size_t)w;
	}
	return close(fd) == 0 ? 0 : KIOSK_ERR_IO;
}

static void dump_usage(void)
{
	fprintf(stderr, "usage: cardsim dump --persona FILE --pki DIR --out DIR "
			"[--fault name=value]...\n");
}

int fe_dump_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "persona", required_argument, NULL, 'p' },
		{ "pki", required_argument, NULL, 'k' },
		{ "out", required_argument, NULL, 'o' },
		{ "fault", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *faults[FE_MAX_FAULTS];
	size_t nfaults = 0;
	const char *persona = NULL, *pki = NULL, *out = NULL;
	struct cardsim_card *card = NULL;
	char err[256] = "";
	uint8_t atr[40];
	size_t atr_len;
	int rc = 1;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			persona = optarg;
			break;
		case 'k':
			pki = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'f':
			if (nfaults == FE_MAX_FAULTS) {
				fprintf(stderr, "cardsim dump: too many --fault options\n");
				return 2;
			}
			faults[nfaults++] = optarg;
			break;
		default:
			dump_usage();
			return 2;
		}
	}
	if (persona == NULL || pki == NULL || out == NULL || optind != argc) {
		dump_usage();
		return 2;
	}
	card = cardsim_card_load(persona, pki, err, sizeof(err));
	if (card == NULL) {
		fprintf(stderr, "cardsim dump: %s\n", err);
		return 1;
	}
	for (size_t i = 0; i < nfaults; i++) {
		char buf[256];
		char *eq;

		snprintf(buf, sizeof(buf), "%s", faults[i]);
		eq = strchr(buf, '=');
		if (eq == NULL || (*eq = '\0', cardsim_set(card, buf, eq + 1) != 0)) {
			fprintf(stderr, "cardsim dump: bad --fault %s\n", faults[i]);
			rc = 2;
			goto out;
		}
	}
	if (mkdir(out, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "cardsim dump: cannot create %s: %s\n", out, strerror(errno));
		goto out;
	}
	for (uint16_t fid = 0x0001; fid <= 0x0008; fid++) {
		size_t len = 0;
		const uint8_t *data = cardsim_ef(card, fid, &len);
		char name[32];

		if (data == NULL) {
			continue;
		}
		snprintf(name, sizeof(name), "ef%04x.bin", fid);
		if (write_file(out, name, data, len) != 0) {
			goto out;
		}
	}
	atr_len = cardsim_atr(card, atr, sizeof(atr));
	if (write_file(out, "atr.bin", atr, atr_len) != 0) {
		goto out;
	}
	rc = 0;
out:
	cardsim_card_free(card);
	return rc;
}
