/* SPDX-License-Identifier: MIT */
/*
 * render_bench: the certificate page and its QR codes.
 *   - QR versions for 1..5 doses x domestic/overseas: the SHC JWS and the
 *     VDS-NC seal are built and signed by the reference center's own code
 *     (tools/center) with its test keys, so their lengths are the real ones;
 *     the SHC carries Japan's iss.
 *   - render time of the PDF and the PNG (median, p99) after font warm-up;
 *   - PDF size per font; peak RSS (getrusage).
 * Numbers, not pass/fail. Fictional personas.
 *
 *   build/tests/bench/render_bench [N] [pdf]   (pdf: PDF timings only, for profiling)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "kiosk/certificate.h"
#include "kiosk/err.h"
#include "kiosk/render.h"

#include "center.h"

#define FAMILY "山田"
#define GIVEN "太郎"

static const char *const dates[5] = { "2021-06-01", "2021-06-22", "2022-01-10", "2022-08-01",
				       "2022-12-01" };
static const char *const lots[5] = { "FA5765", "FC3661", "3004217", "FK0108", "GH9715" };
static const char *const cvx[5] = { "208", "208", "207", "300", "300" };

static long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000L + ts.tv_nsec / 1000L;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

static void report(const char *what, long *us, int n)
{
	qsort(us, (size_t)n, sizeof(*us), cmp_long);
	printf("%-40s n=%-4d median %8.2f ms  p99 %8.2f ms\n", what, n, us[n / 2] / 1000.0,
	       us[(n * 99) / 100] / 1000.0);
}

/* The reference center's signing keys: the bench signs what the center signs. */
static struct rc_keys keys;

static void bench_resident(struct rc_holder *h, struct rc_resident *r, unsigned ndoses,
			   bool overseas)
{
	memset(h, 0, sizeof(*h));
	memset(r, 0, sizeof(*r));
	strcpy(h->family, FAMILY);
	strcpy(h->given, GIVEN);
	strcpy(h->birth_date, "1985-04-12");
	r->overseas = overseas;
	strcpy(r->romaji, "YAMADA TARO");
	strcpy(r->passport, "TK0000000");
	strcpy(r->nationality, "JPN");
	for (unsigned i = 0; i < ndoses; i++) {
		strcpy(r->doses[i].date, dates[i]);
		strcpy(r->doses[i].cvx, cvx[i]);
		strcpy(r->doses[i].lot, lots[i]);
	}
	r->n_doses = ndoses;
}

/* The compact JWS exactly as the reference center builds it (with Japan's iss). */
static size_t make_jws(char *jws, size_t cap, unsigned ndoses, bool overseas)
{
	struct rc_holder h;
	struct rc_resident r;
	char *out = NULL;
	size_t n = 0;

	bench_resident(&h, &r, ndoses, overseas);
	if (rc_shc_build(&keys, false, "https://vc.vrs.digital.go.jp/issuer", 1795000000, &h,
			 overseas ? r.romaji : NULL, &r, &out) == 0 && strlen(out) < cap) {
		n = strlen(out);
		memcpy(jws, out, n + 1);
	}
	free(out);
	return n;
}

/* The VDS-NC seal as the reference center builds it, compact JSON. */
static size_t make_vds(char *out, size_t cap, unsigned ndoses)
{
	struct rc_holder h;
	struct rc_resident r;
	cJSON *seal;
	char *t;
	size_t n = 0;

	bench_resident(&h, &r, ndoses, true);
	seal = rc_vdsnc_build(&keys, "JP0000000042", &h, &r);
	t = seal != NULL ? cJSON_PrintUnformatted(seal) : NULL;
	if (t != NULL && strlen(t) < cap) {
		n = strlen(t);
		memcpy(out, t, n + 1);
	}
	free(t);
	cJSON_Delete(seal);
	return n;
}

static int qr_version(const char *t, size_t len, bool shc, enum render_ecc e, char *buf,
		      size_t cap)
{
	struct render_qr qr;
	int rc = shc ? render_qr_shc(t, len, e, &qr) : render_qr_vdsnc(t, len, e, &qr);

	if (rc == KIOSK_ERR_QR_TOO_LARGE) {
		snprintf(buf, cap, "%s", shc ? ">22" : ">40");
	} else if (rc != 0) {
		snprintf(buf, cap, "err");
	} else {
		snprintf(buf, cap, "V%u%s", qr.version,
			 e == RENDER_ECC_AUTO ? (qr.ecc == RENDER_ECC_M ? "/M" : "/L") : "");
	}
	render_qr_free(&qr);
	return rc;
}

static void qr_table(void)
{
	printf("QR versions (SHC: byte 'shc:/' + numeric; VDS-NC: byte)\n");
	printf("%-9s %5s %6s %6s %6s %7s | %6s %6s %6s\n", "type", "doses", "JWS", "SHC@M", "SHC@L",
	       "auto", "VDS B", "VDS@M", "VDS@L");
	for (int ov = 0; ov < 2; ov++) {
		for (unsigned d = 1; d <= 5; d++) {
			char jws[CERT_SHC_JWS_MAX + 1], text[CERT_QR_TEXT_MAX + 1], vds[4096];
			char m[16], l[16], a[16], vm[16] = "-", vl[16] = "-";
			size_t jl = make_jws(jws, sizeof(jws), d, ov), tl, vlen = 0;

			if (cert_shc_qr_text(jws, jl, text, sizeof(text), &tl) != 0) {
				printf("jws error\n");
				return;
			}
			qr_version(text, tl, true, RENDER_ECC_M, m, sizeof(m));
			qr_version(text, tl, true, RENDER_ECC_L, l, sizeof(l));
			qr_version(text, tl, true, RENDER_ECC_AUTO, a, sizeof(a));
			if (ov) {
				vlen = make_vds(vds, sizeof(vds), d);
				qr_version(vds, vlen, false, RENDER_ECC_M, vm, sizeof(vm));
				qr_version(vds, vlen, false, RENDER_ECC_L, vl, sizeof(vl));
			}
			printf("%-9s %5u %6zu %6s %6s %7s | %6zu %6s %6s\n",
			       ov ? "overseas" : "domestic", d, jl, m, l, a, vlen, vm, vl);
		}
	}
}

static void make_model(struct kiosk_certificate *c, bool overseas, char *vds, size_t *vlen)
{
	char jws[CERT_SHC_JWS_MAX + 1];
	size_t jl = make_jws(jws, sizeof(jws), 5, overseas);

	cert_clear(c);
	strcpy(c->family, FAMILY);
	strcpy(c->given, GIVEN);
	strcpy(c->birth_date, "19850412");
	for (unsigned i = 0; i < 5; i++) {
		struct cert_dose *d = &c->doses[i];

		d->number = i + 1;
		memcpy(d->date, dates[i], 4);
		memcpy(d->date + 4, dates[i] + 5, 2);
		memcpy(d->date + 6, dates[i] + 8, 2);
		d->date[8] = '\0';
		strcpy(d->vaccine_code, cvx[i]);
		strcpy(d->product, i == 2 ? "Spikevax" : "COMIRNATY");
		strcpy(d->manufacturer, i == 2 ? "Moderna" : "Pfizer");
		strcpy(d->lot, lots[i]);
	}
	c->dose_count = 5;
	c->doses_on_record = 6;
	(void)cert_set_issuance(c, "JP-131016-000123", "2026-11-25T10:15:00+09:00", "131016",
				overseas ? CERT_TYPE_OVERSEAS : CERT_TYPE_DOMESTIC);
	(void)cert_shc_qr_text(jws, jl, c->qr_text, sizeof(c->qr_text), &c->qr_text_len);
	*vlen = 0;
	if (overseas) {
		strcpy(c->romaji_family, "YAMADA");
		strcpy(c->romaji_given, "TARO");
		strcpy(c->passport, "TK0000000");
		strcpy(c->nationality, "JPN");
		c->vds.present = true;
		strcpy(c->vds.uvci, "U0000000042A");
		*vlen = make_vds(vds, 4096, 5);
	}
}

static void time_renders(int n, bool pdf_only)
{
	static struct kiosk_certificate model;
	static char vds[4096];
	struct render_opts o;
	long *us = calloc((size_t)n, sizeof(long));
	size_t vlen;
	long t0;

	render_opts_init(&o);
	o.municipality_name = "千代田区";
	o.municipality_name_en = "Chiyoda City";
	t0 = now_us();
	(void)render_warm_up(&o);
	printf("font warm-up (start-up, once)            %8.2f ms\n", (now_us() - t0) / 1000.0);
	for (int ov = 0; ov < 2; ov++) {
		static const struct {
			const char *what;
			unsigned dpi; /* 0 = PDF */
		} kinds[] = { { "PDF 600 dpi grid", 0 }, { "PNG 150 dpi", 150 },
			      { "PNG 300 dpi", 300 } };

		make_model(&model, ov, vds, &vlen);
		for (size_t k = 0; k < (pdf_only ? 1 : sizeof(kinds) / sizeof(kinds[0])); k++) {
			char what[80];
			size_t bytes = 0;

			for (int i = 0; i < n; i++) {
				struct render_buf b;
				int rc;

				render_buf_init(&b);
				t0 = now_us();
				rc = kinds[k].dpi == 0 ?
				     render_certificate_pdf(&model, vds, vlen, &o, &b) :
				     render_certificate_png(&model, vds, vlen, &o, kinds[k].dpi, &b);
				us[i] = now_us() - t0;
				if (rc != 0) {
					printf("render failed: %s\n", kiosk_err_name(rc));
					free(us);
					return;
				}
				bytes = b.len;
				render_buf_free(&b);
			}
			snprintf(what, sizeof(what), "%s %s 5 doses (%zu KiB)",
				 ov ? "overseas" : "domestic", kinds[k].what, bytes / 1024);
			report(what, us, n);
		}
	}
	/* PDF time and size by font (Noto is CFF: cairo 1.16's subsets are large and slow) */
	{
		static const char *const fonts[] = { "Noto Sans CJK JP", "IPAGothic", "IPAPGothic" };

		o.name_fallback_family = "";

		make_model(&model, true, vds, &vlen);
		for (size_t f = 0; f < 3; f++) {
			struct render_buf b;

			o.font_family = fonts[f];
			size_t bytes = 0;
			char what[80];

			for (int i = 0; i < n; i++) {
				long t = now_us();

				render_buf_init(&b);
				if (render_certificate_pdf(&model, vds, vlen, &o, &b) != 0) {
					render_buf_free(&b);
					break;
				}
				us[i] = now_us() - t;
				bytes = b.len;
				render_buf_free(&b);
			}
			snprintf(what, sizeof(what), "overseas PDF, all text in %s (%zu KiB)", fonts[f],
				 bytes / 1024);
			report(what, us, n);
		}
	}
	cert_clear(&model);
	free(us);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 30;
	struct rusage ru;

	if (n < 1) {
		n = 1;
	}
	bool pdf_only = argc > 2 && strcmp(argv[2], "pdf") == 0;

	if (rc_keys_load(&keys, BENCH_CENTER_PKI) != 0) {
		fprintf(stderr, "render_bench: no center PKI in %s\n", BENCH_CENTER_PKI);
		return 1;
	}
	if (!pdf_only) {
		qr_table();
		printf("\n");
	}
	time_renders(n, pdf_only);
	getrusage(RUSAGE_SELF, &ru);
	printf("peak RSS %ld KiB\n", ru.ru_maxrss);
	rc_keys_free(&keys);
	return 0;
}
