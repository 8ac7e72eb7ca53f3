/* SPDX-License-Identifier: MIT */
/*
 * HTTPS front end (libmicrohttpd with GnuTLS: a different TLS stack from the
 * kiosk's mbedTLS, so every test run is an interoperability test). Client
 * certificates are checked against the kiosk CA; the CN is the kiosk id.
 * Fault switches that act on the transport live here. The log carries
 * method, path, request id, status and error code only.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <mbedtls/platform_util.h>
#include <microhttpd.h>

#include "center.h"

#define OVERSIZED_BYTES (1024u * 1024u + 1024u)

/* ECDHE with AES-GCM or ChaCha20-Poly1305 only (docs/center-protocol.md). */
static const char PRIORITIES[] =
	"NONE:+VERS-TLS1.3:+VERS-TLS1.2:+ECDHE-ECDSA:+ECDHE-RSA:+AES-128-GCM:+AES-256-GCM:"
	"+CHACHA20-POLY1305:+AEAD:+SIGN-ALL:+GROUP-ALL:+COMP-NULL:+CTYPE-X509";

struct rc_server {
	gnutls_datum_t ticket_key; /* session tickets: kiosks resume instead of a full handshake */
	struct MHD_Daemon *tls;
	struct MHD_Daemon *admin;
	struct rc_center *c;
	char *key;
	char *cert;
	char *trust;
};

struct req {
	struct rc_buf body;
	bool too_big;
};

struct drop {
	char *body;
	size_t len;
	size_t cut;
};

static char *slurp(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;
	char *p;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "kiosk-center: cannot read %s\n", path);
		return NULL;
	}
	p = malloc(65537);
	if (p != NULL) {
		n = fread(p, 1, 65536, f);
		p[n] = '\0';
	}
	fclose(f);
	return p;
}

static void wipe_free(void *p)
{
	if (p != NULL) {
		mbedtls_platform_zeroize(p, strlen(p));
		free(p);
	}
}

/* Takes @body (malloc'd, NUL-terminated): MHD wipes and frees it after sending. */
static enum MHD_Result send_json(struct MHD_Connection *conn, int http, char *body)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer_with_free_callback(strlen(body), body, wipe_free);
	if (r == NULL) {
		wipe_free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
	ret = MHD_queue_response(conn, (unsigned)http, r);
	MHD_destroy_response(r);
	return ret;
}

static ssize_t drop_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct drop *d = cls;
	size_t n;

	if (pos >= d->cut) {
		return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	n = d->cut - (size_t)pos;
	n = n < max ? n : max;
	memcpy(buf, d->body + pos, n);
	return (ssize_t)n;
}

static void drop_free(void *cls)
{
	struct drop *d = cls;

	wipe_free(d->body);
	free(d);
}

/* Announce the whole length, send half of it, then close the connection. */
static enum MHD_Result send_dropped(struct MHD_Connection *conn, int http, char *body)
{
	struct drop *d = calloc(1, sizeof(*d));
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (d == NULL) {
		wipe_free(body);
		return MHD_NO;
	}
	d->body = body;
	d->len = strlen(body);
	d->cut = d->len / 2;
	r = MHD_create_response_from_callback(d->len, 4096, drop_reader, d, drop_free);
	if (r == NULL) {
		drop_free(d);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
	ret = MHD_queue_response(conn, (unsigned)http, r);
	MHD_destroy_response(r);
	return ret;
}

/* The kiosk id from a client certificate that verifies against the kiosk CA. */
static int client_cn(struct MHD_Connection *conn, char *cn, size_t cap)
{
	const union MHD_ConnectionInfo *ci;
	gnutls_session_t tls;
	const gnutls_datum_t *peers;
	unsigned int n = 0, status = 0;
	gnutls_x509_crt_t crt = NULL;
	gnutls_typed_vdata_st purpose = {
		.type = GNUTLS_DT_KEY_PURPOSE_OID,
		.data = (unsigned char *)GNUTLS_KP_TLS_WWW_CLIENT,
	};
	size_t len = cap;
	int rc = -1;

	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (ci == NULL || ci->tls_session == NULL) {
		return -1;
	}
	tls = (gnutls_session_t)ci->tls_session;
	/* chain to the kiosk CA, validity, and extendedKeyUsage clientAuth */
	if (gnutls_certificate_verify_peers(tls, &purpose, 1, &status) != GNUTLS_E_SUCCESS ||
	    status != 0) {
		return -1;
	}
	peers = gnutls_certificate_get_peers(tls, &n);
	if (peers == NULL || n == 0 || gnutls_x509_crt_init(&crt) != GNUTLS_E_SUCCESS) {
		return -1;
	}
	if (gnutls_x509_crt_import(crt, &peers[0], GNUTLS_X509_FMT_DER) == GNUTLS_E_SUCCESS &&
	    gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, cn, &len) ==
		    GNUTLS_E_SUCCESS &&
	    len > 0 && len < cap) {
		cn[len] = '\0';
		rc = 0;
	}
	gnutls_x509_crt_deinit(crt);
	return rc;
}

static char *oversized(void)
{
	static const char head[] = "{\"status\":\"issued\",\"pad\":\"";
	char *p = malloc(OVERSIZED_BYTES + 1);
	size_t n = sizeof(head) - 1;

	if (p == NULL) {
		return NULL;
	}
	memcpy(p, head, n);
	memset(p + n, 'A', OVERSIZED_BYTES - n - 2);
	memcpy(p + OVERSIZED_BYTES - 2, "\"}", 3);
	return p;
}

static char *malformed(void)
{
	static const char bad[] = "{\"status\":\"issued\",\"certificate_id\":\"JP-";

	return strdup(bad);
}

static void log_line(const char *method, const char *url, const char *rid, int http,
		     const char *body, const char *note)
{
	char code[32] = "-";
	const char *e = body ? strstr(body, "\"error\":\"") : NULL;

	if (e != NULL && http >= 400) {
		sscanf(e + 9, "%31[a-z_]", code);
	}
	fprintf(stderr, "kiosk-center: %s %s rid=%s -> %d %s%s\n", method, url, rid, http, code,
		note);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	struct rc_server *s = cls;
	struct rc_center *c = s->c;
	struct req *rq = *con_cls;
	struct rc_answer a = {0};
	char cn[RC_KIOSK_ID_MAX];
	char rid[RC_REQUEST_ID_LEN + 1] = "-";
	const char *proto;
	bool post = strcmp(method, "POST") == 0;
	bool get = strcmp(method, "GET") == 0;
	bool cert_ep = false;

	(void)version;
	if (rq == NULL) {
		rq = calloc(1, sizeof(*rq));
		if (rq == NULL) {
			return MHD_NO;
		}
		*con_cls = rq;
		return MHD_YES;
	}
	if (*upload_size != 0) {
		if (!rq->too_big && rq->body.len + *upload_size <= RC_BODY_MAX) {
			if (rc_buf_add(&rq->body, upload, *upload_size) != 0) {
				rq->too_big = true;
			}
		} else {
			rq->too_big = true;
		}
		*upload_size = 0;
		return MHD_YES;
	}

	/* Public: the issuer key set. */
	if (get && (strcmp(url, "/issuer/.well-known/jwks.json") == 0 ||
		    strcmp(url, "/.well-known/jwks.json") == 0)) {
		struct MHD_Response *r = MHD_create_response_from_buffer(
			strlen(c->keys.jwks), c->keys.jwks, MHD_RESPMEM_PERSISTENT);
		enum MHD_Result ret;

		MHD_add_response_header(r, "Content-Type", "application/json");
		MHD_add_response_header(r, "Access-Control-Allow-Origin", "*");
		ret = MHD_queue_response(conn, 200, r);
		MHD_destroy_response(r);
		log_line(method, url, rid, 200, NULL, "");
		return ret;
	}

	if (client_cn(conn, cn, sizeof(cn)) != 0) {
		rc_answer_error(&a, "unauthorized");
		goto answer;
	}
	if (strncmp(url, "/v1/", 4) == 0) {
		long delay = rc_faults_get(&c->faults, RC_FAULT_DELAY_MS);

		if (delay > 0) {
			usleep((useconds_t)delay * 1000);
		}
		proto = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Kiosk-Protocol");
		if (proto == NULL || strcmp(proto, "1") != 0) {
			rc_answer_error(&a, "bad_request");
			goto answer;
		}
	}
	if (rq->too_big) {
		rc_answer_error(&a, "bad_request");
	} else if (get && strcmp(url, "/v1/municipalities") == 0) {
		rc_handle_municipalities(c, &a);
	} else if (post && strcmp(url, "/v1/challenges") == 0) {
		rc_handle_challenge(c, cn, rq->body.p, rq->body.len, &a);
	} else if (post && strcmp(url, "/v1/certificates") == 0) {
		cert_ep = true;
		if (rc_faults_take(&c->faults, RC_FAULT_HTTP_500)) {
			rc_answer_error(&a, "internal");
			strcpy(rid, "(fault)");
		} else if (rc_faults_take(&c->faults, RC_FAULT_HTTP_503)) {
			rc_answer_error(&a, "busy");
			strcpy(rid, "(fault)");
		} else {
			rc_handle_certificate(c, cn, rq->body.p, rq->body.len, &a, rid);
		}
	} else {
		rc_answer_error(&a, "not_found");
	}
answer:
	if (a.body == NULL) {
		rc_answer_error(&a, "internal");
	}
	if (cert_ep && a.http == 200) {
		const char *note = "";

		if (rc_faults_take(&c->faults, RC_FAULT_MALFORMED_JSON)) {
			wipe_free(a.body);
			a.body = malformed();
			note = " (fault malformed_json)";
		} else if (rc_faults_take(&c->faults, RC_FAULT_OVERSIZED_BODY)) {
			wipe_free(a.body);
			a.body = oversized();
			note = " (fault oversized_body)";
		}
		if (a.body != NULL && rc_faults_take(&c->faults, RC_FAULT_DROP)) {
			log_line(method, url, rid, a.http, a.body, " (fault drop)");
			return send_dropped(conn, a.http, a.body);
		}
		log_line(method, url, rid, a.http, a.body, note);
		if (a.body == NULL) {
			return MHD_NO;
		}
		return send_json(conn, a.http, a.body);
	}
	log_line(method, url, rid, a.http, a.body, "");
	return send_json(conn, a.http, a.body);
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct req *rq = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (rq != NULL) {
		rc_buf_free(&rq->body);
		free(rq);
		*con_cls = NULL;
	}
}

static enum MHD_Result admin(void *cls, struct MHD_Connection *conn, const char *url,
			     const char *method, const char *version, const char *upload,
			     size_t *upload_size, void **con_cls)
{
	struct rc_server *s = cls;
	const char *name, *value;
	int http = 200;
	char *body = NULL;

	(void)version;
	(void)upload;
	if (*con_cls == NULL) {
		*con_cls = (void *)1;
		return MHD_YES;
	}
	if (*upload_size != 0) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(method, "POST") == 0 && strcmp(url, "/admin/fault") == 0) {
		name = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "name");
		value = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "value");
		if (rc_faults_set(&s->c->faults, name, value) != 0) {
			http = 400;
			body = strdup("{\"status\":\"error\",\"error\":\"bad_request\"}");
		}
	} else if (!(strcmp(method, "GET") == 0 && strcmp(url, "/admin/faults") == 0)) {
		http = 404;
		body = strdup("{\"status\":\"error\",\"error\":\"not_found\"}");
	}
	if (body == NULL) {
		body = rc_faults_json(&s->c->faults);
	}
	fprintf(stderr, "kiosk-center: admin %s %s -> %d\n", method, url, http);
	return body ? send_json(conn, http, body) : MHD_NO;
}

/* Before the handshake of each connection: let kiosks resume TLS sessions with
 * a ticket (RFC 5077 for TLS 1.2; TLS 1.3 tickets use the same key). */
static void notify_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			      enum MHD_ConnectionNotificationCode toe)
{
	struct rc_server *s = cls;
	const union MHD_ConnectionInfo *ci;

	(void)socket_context;
	if (toe != MHD_CONNECTION_NOTIFY_STARTED || s->ticket_key.data == NULL) {
		return;
	}
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (ci != NULL && ci->tls_session != NULL) {
		gnutls_session_ticket_enable_server((gnutls_session_t)ci->tls_session,
						    &s->ticket_key);
	}
}

static unsigned daemon_port(struct MHD_Daemon *d)
{
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);

	return di ? di->port : 0;
}

int rc_server_start(struct rc_server **out, struct rc_center *c,
		    const struct rc_server_opts *o, unsigned *port, unsigned *admin_port)
{
	struct rc_server *s = calloc(1, sizeof(*s));
	struct sockaddr_in sa, aa;
	const char *crt = "center.crt.pem";

	*out = NULL;
	if (s == NULL) {
		return -1;
	}
	s->c = c;
	if (o->server_cert != NULL && strcmp(o->server_cert, "expired") == 0) {
		crt = "center-expired.crt.pem";
	} else if (o->server_cert != NULL && strcmp(o->server_cert, "wronghost") == 0) {
		crt = "center-wronghost.crt.pem";
	} else if (o->server_cert != NULL && strcmp(o->server_cert, "normal") != 0) {
		fprintf(stderr, "kiosk-center: --server-cert normal|expired|wronghost\n");
		goto fail;
	}
	s->key = slurp(o->pki, "center.key.pem");
	s->cert = slurp(o->pki, crt);
	s->trust = slurp(o->pki, "kiosk-ca.crt.pem");
	if (s->key == NULL || s->cert == NULL || s->trust == NULL) {
		goto fail;
	}
	if (gnutls_session_ticket_key_generate(&s->ticket_key) != GNUTLS_E_SUCCESS) {
		s->ticket_key.data = NULL; /* no resumption; full handshakes still work */
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)o->port);
	if (inet_pton(AF_INET, o->bind ? o->bind : "127.0.0.1", &sa.sin_addr) != 1) {
		fprintf(stderr, "kiosk-center: --bind wants an IPv4 address\n");
		goto fail;
	}
	s->tls = MHD_start_daemon(
		MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS |
			MHD_USE_ERROR_LOG,
		0, NULL, NULL, handle, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		MHD_OPTION_HTTPS_MEM_KEY, s->key, MHD_OPTION_HTTPS_MEM_CERT, s->cert,
		MHD_OPTION_HTTPS_MEM_TRUST, s->trust, MHD_OPTION_HTTPS_PRIORITIES, PRIORITIES,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned)512, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
		MHD_OPTION_NOTIFY_CONNECTION, notify_connection, s, MHD_OPTION_END);
	if (s->tls == NULL) {
		fprintf(stderr, "kiosk-center: cannot start the HTTPS server\n");
		goto fail;
	}
	*port = daemon_port(s->tls);
	if (o->admin_port_set) {
		memset(&aa, 0, sizeof(aa));
		aa.sin_family = AF_INET;
		aa.sin_port = htons((uint16_t)o->admin_port);
		aa.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* loopback only, always */
		s->admin = MHD_start_daemon(
			MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
				MHD_USE_ERROR_LOG,
			0, NULL, NULL, admin, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&aa,
			MHD_OPTION_END);
		if (s->admin == NULL) {
			fprintf(stderr, "kiosk-center: cannot start the admin endpoint\n");
			goto fail;
		}
		*admin_port = daemon_port(s->admin);
	}
	*out = s;
	return 0;
fail:
	rc_server_stop(s);
	return -1;
}

void rc_server_stop(struct rc_server *s)
{
	if (s == NULL) {
		return;
	}
	if (s->admin != NULL) {
		MHD_stop_daemon(s->admin);
	}
	if (s->tls != NULL) {
		MHD_stop_daemon(s->tls);
	}
	if (s->ticket_key.data != NULL) {
		gnutls_memset(s->ticket_key.data, 0, s->ticket_key.size);
		gnutls_free(s->ticket_key.data);
	}
	wipe_free(s->key);
	free(s->cert);
	free(s->trust);
	free(s);
}
