/* SPDX-License-Identifier: MIT */
/*
 * memscan: search the whole memory of a live process for strings, the way an
 * attacker with root on a kiosk would after a resident has left.
 *
 *   memscan [--writable-anon] PID NEEDLE_FILE
 *
 * NEEDLE_FILE holds one needle per line (UTF-8; fictional test data). Each is
 * searched as UTF-8 and as UTF-16LE in every readable mapping (heap, stacks,
 * anonymous maps, the vault, library data). Prints, per needle index, how many
 * hits and in which mapping (never the bytes around them).
 *
 * --writable-anon: only writable mappings that are anonymous, [heap] or
 * [stack] -- where data the process received at run time lives. Short needles
 * (a 4-digit PIN) occur by chance in library text and read-only data; this
 * mode leaves those out. Regions over 1 GiB (sanitizer shadow, reservations)
 * are skipped in this mode only.
 * Exit: 0 nothing found, 1 something found, 2 usage/access error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NEEDLES_MAX 32
#define NEEDLE_MAX 512
#define CHUNK (1u << 20)
#define ANON_REGION_MAX (1ul << 30)

struct needle {
	unsigned char b[NEEDLE_MAX * 2];
	size_t len;
	const char *form;
	int index;
	unsigned long hits;
};

static struct needle needles[NEEDLES_MAX * 2];
static size_t n_needles;

/* UTF-8 -> UTF-16LE (BMP and surrogate pairs). @return bytes, 0 on bad input. */
static size_t utf16le(const unsigned char *s, size_t len, unsigned char *out, size_t cap)
{
	size_t i = 0, o = 0;

	while (i < len) {
		uint32_t cp;
		size_t n;

		if (s[i] < 0x80) {
			cp = s[i];
			n = 1;
		} else if ((s[i] & 0xE0) == 0xC0 && i + 1 < len) {
			cp = ((uint32_t)(s[i] & 0x1F) << 6) | (s[i + 1] & 0x3F);
			n = 2;
		} else if ((s[i] & 0xF0) == 0xE0 && i + 2 < len) {
			cp = ((uint32_t)(s[i] & 0x0F) << 12) | ((uint32_t)(s[i + 1] & 0x3F) << 6) |
			     (s[i + 2] & 0x3F);
			n = 3;
		} else if ((s[i] & 0xF8) == 0xF0 && i + 3 < len) {
			cp = ((uint32_t)(s[i] & 0x07) << 18) | ((uint32_t)(s[i + 1] & 0x3F) << 12) |
			     ((uint32_t)(s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3F);
			n = 4;
		} else {
			return 0;
		}
		i += n;
		if (cp >= 0x10000) {
			uint32_t v = cp - 0x10000;
			uint16_t hi = (uint16_t)(0xD800 + (v >> 10)), lo = (uint16_t)(0xDC00 + (v & 0x3FF));

			if (o + 4 > cap) {
				return 0;
			}
			out[o++] = (unsigned char)(hi & 0xFF);
			out[o++] = (unsigned char)(hi >> 8);
			out[o++] = (unsigned char)(lo & 0xFF);
			out[o++] = (unsigned char)(lo >> 8);
		} else {
			if (o + 2 > cap) {
				return 0;
			}
			out[o++] = (unsigned char)(cp & 0xFF);
			out[o++] = (unsigned char)(cp >> 8);
		}
	}
	return o;
}

static int load_needles(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[NEEDLE_MAX];
	int idx = 0;

	if (f == NULL) {
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL && n_needles + 2 <= NEEDLES_MAX * 2) {
		size_t len = strcspn(line, "\r\n");
		struct needle *u8 = &needles[n_needles], *u16 = &needles[n_needles + 1];

		if (len < 4) {
			continue; /* too short to mean anything */
		}
		memcpy(u8->b, line, len);
		u8->len = len;
		u8->form = "utf-8";
		u8->index = idx;
		u16->len = utf16le((unsigned char *)line, len, u16->b, sizeof(u16->b));
		u16->form = "utf-16le";
		u16->index = idx;
		n_needles += u16->len > 0 ? 2 : 1;
		idx++;
	}
	fclose(f);
	return idx > 0 ? 0 : -1;
}

/* --writable-anon: is this mapping (perms, pathname) one to search? */
static int writable_anon(const char *perms, const char *name, unsigned long size)
{
	if (perms[1] != 'w' || size > ANON_REGION_MAX) {
		return 0;
	}
	return name[0] == '\0' || strcmp(name, "[heap]") == 0 ||
	       strncmp(name, "[stack", 6) == 0 || strncmp(name, "[anon:", 6) == 0;
}

static void scan(const unsigned char *buf, size_t len, const char *where, unsigned long start)
{
	for (size_t k = 0; k < n_needles; k++) {
		struct needle *n = &needles[k];
		const unsigned char *p = buf;
		size_t left = len;

		while (left >= n->len) {
			const unsigned char *hit = memmem(p, left, n->b, n->len);

			if (hit == NULL) {
				break;
			}
			n->hits++;
			printf("needle %d (%s) at %#lx in %s\n", n->index, n->form,
			       start + (unsigned long)(hit - buf), where);
			left -= (size_t)(hit - p) + 1;
			p = hit + 1;
		}
	}
}

int main(int argc, char **argv)
{
	char path[64], line[512];
	unsigned char *buf;
	FILE *maps;
	int mem;
	unsigned long total = 0, regions = 0;
	int anon_only = argc == 4 && strcmp(argv[1], "--writable-anon") == 0;
	const char *pid = argv[1 + anon_only];

	if (argc != 3 + anon_only || load_needles(argv[2 + anon_only]) != 0) {
		fprintf(stderr, "usage: memscan [--writable-anon] PID NEEDLE_FILE\n");
		return 2;
	}
	snprintf(path, sizeof(path), "/proc/%s/maps", pid);
	maps = fopen(path, "r");
	snprintf(path, sizeof(path), "/proc/%s/mem", pid);
	mem = open(path, O_RDONLY);
	buf = malloc(CHUNK + NEEDLE_MAX * 2);
	if (maps == NULL || mem < 0 || buf == NULL) {
		fprintf(stderr, "memscan: cannot read process %s: %s\n", pid, strerror(errno));
		return 2;
	}
	while (fgets(line, sizeof(line), maps) != NULL) {
		unsigned long lo, hi;
		char perms[8] = "", name[256] = "";

		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %255[^\n]", &lo, &hi, perms, name) < 3 ||
		    perms[0] != 'r' || strstr(name, "[vvar]") != NULL || strstr(name, "[vsyscall]")) {
			continue;
		}
		if (anon_only && !writable_anon(perms, name, hi - lo)) {
			continue;
		}
		regions++;
		/* overlapping chunks so a needle across a chunk border is still found */
		for (unsigned long a = lo; a < hi;) {
			size_t want = hi - a > CHUNK + NEEDLE_MAX * 2 ? CHUNK + NEEDLE_MAX * 2 : hi - a;
			ssize_t got = pread(mem, buf, want, (off_t)a);

			if (got <= 0) {
				break;
			}
			total += (unsigned long)got;
			scan(buf, (size_t)got, name[0] ? name : "[anon]", a);
			if ((size_t)got < want || a + (unsigned long)got >= hi) {
				break;
			}
			a += CHUNK;
		}
	}
	fclose(maps);
	close(mem);
	free(buf);
	{
		unsigned long hits = 0;

		for (size_t k = 0; k < n_needles; k++) {
			hits += needles[k].hits;
		}
		printf("memscan: %lu regions, %lu bytes, %lu hits\n", regions, total, hits);
		return hits > 0 ? 1 : 0;
	}
}
