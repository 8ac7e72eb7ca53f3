/* SPDX-License-Identifier: MIT */
/*
 * Mutual TLS to the certificate center over mbedTLS 2.28: the center CA is
 * the only trust anchor (loaded from the board's file; mbedTLS has no system
 * store), TLS 1.2 with ECDHE + AEAD suites only, the URL's host verified, the
 * kiosk's certificate presented, the session kept for resumption. Every wait
 * is bounded: non-blocking connect + poll, a handshake deadline enforced step
 * by step, and a read timeout on every record.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mbedtls/asn1.h>
#include <mbedtls/error.h>
#include <mbedtls/oid.h>
#include <mbedtls/platform_util.h>

#include "kiosk/clock.h"
#include "kiosk/center.h"
#include "kiosk/err.h"

/* TLS 1.2 suites the protocol allows: ECDHE, AES-GCM or ChaCha20-Poly1305. */
static const int center_suites[] = {
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	0,
};

static const char pers[] = "kiosk-center-client";

static bool host_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '.' || ch == '-';
}

int center_url_parse(const char *url, char *host, size_t host_cap, char *port, size_t port_cap,
		     char *prefix, size_t prefix_cap)
{
	const char *p;
	const char *h_end;
	const char *rest;
	size_t hlen;
	size_t plen = 0;
	const char *pstart = NULL;
	size_t rlen;

	if (url == NULL || host == NULL || port == NULL || prefix == NULL || host_cap == 0 ||
	    port_cap == 0 || prefix_cap == 0 || strncmp(url, "https://", 8) != 0) {
		return KIOSK_ERR_CONFIG;
	}
	p = url + 8;
	if (*p == '[') {
		h_end = strchr(p, ']');
		if (h_end == NULL) {
			return KIOSK_ERR_CONFIG;
		}
		hlen = (size_t)(h_end - p - 1);
		p++;
		rest = h_end + 1;
	} else {
		hlen = strcspn(p, ":/?#");
		rest = p + hlen;
	}
	if (hlen == 0 || hlen >= host_cap) {
		return KIOSK_ERR_CONFIG;
	}
	for (size_t i = 0; i < hlen; i++) {
		if (!host_char(p[i]) && p[i] != ':') {
			return KIOSK_ERR_CONFIG;
		}
	}
	if (*rest == ':') {
		pstart = rest + 1;
		plen = strspn(pstart, "0123456789");
		if (plen == 0 || plen > 5 || plen >= port_cap) {
			return KIOSK_ERR_CONFIG;
		}
		rest = pstart + plen;
	}
	if (*rest != '\0' && *rest != '/') {
		return KIOSK_ERR_CONFIG; /* no query, fragment or user info */
	}
	rlen = strlen(rest);
	while (rlen > 0 && rest[rlen - 1] == '/') {
		rlen--;
	}
	if (rlen >= prefix_cap || strpbrk(rest, " ?#\r\n\t") != NULL) {
		return KIOSK_ERR_CONFIG;
	}
	memcpy(host, p, hlen);
	host[hlen] = '\0';
	if (pstart != NULL) {
		unsigned long n;

		memcpy(port, pstart, plen);
		port[plen] = '\0';
		n = strtoul(port, NULL, 10);
		if (n == 0 || n > 65535) {
			return KIOSK_ERR_CONFIG;
		}
	} else {
		if (port_cap < 4) {
			return KIOSK_ERR_CONFIG;
		}
		memcpy(port, "443", 4);
	}
	memcpy(prefix, rest, rlen);
	prefix[rlen] = '\0';
	return KIOSK_OK;
}

void center_settings_from_board(struct center_settings *s, const struct kiosk_board *b)
{
	memset(s, 0, sizeof(*s));
	s->url = b->center_url;
	s->ca_file = b->center_ca_file;
	s->client_cert = b->center_client_cert;
	s->client_key = b->center_client_key;
	s->kiosk_id = b->center_kiosk_id;
	s->connect_timeout_ms = b->center_connect_timeout_ms;
	s->handshake_timeout_ms = b->center_handshake_timeout_ms;
	s->read_timeout_ms = b->center_read_timeout_ms;
	s->retries = CENTER_RETRIES_DEFAULT;
}

/*
 * mbedTLS 2.28 matches the host name against dNSName and CN only. For an IP
 * literal URL we clear the host name and check the iPAddress SAN here instead.
 */
static int verify_cb(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
	const struct center_client *c = ctx;
	const mbedtls_x509_sequence *s;

	if (depth != 0 || !c->host_is_ip) {
		return 0;
	}
	for (s = &crt->subject_alt_names; s != NULL; s = s->next) {
		/* iPAddress [7]: 4 or 16 octets, compared with the URL's literal */
		if (s->buf.p != NULL && s->buf.tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7) &&
		    s->buf.len == c->host_ip_len &&
		    memcmp(s->buf.p, c->host_ip, c->host_ip_len) == 0) {
			return 0;
		}
	}
	*flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
	return 0;
}

void center_client_init(struct center_client *c)
{
	memset(c, 0, sizeof(*c));
	mbedtls_entropy_init(&c->entropy);
	mbedtls_ctr_drbg_init(&c->drbg);
	mbedtls_x509_crt_init(&c->ca);
	mbedtls_x509_crt_init(&c->cert);
	mbedtls_pk_init(&c->key);
	mbedtls_ssl_config_init(&c->conf);
	mbedtls_ssl_session_init(&c->session);
	mbedtls_net_init(&c->net);
	mbedtls_ssl_init(&c->ssl);
	c->last_alert = -1;
	c->retry_delay_ms = 1000;
}

static bool valid_kiosk_id(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n >= CENTER_KIOSK_ID_MAX) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (!host_char(id[i]) && id[i] != '_') {
			return false;
		}
	}
	return true;
}

/* The protocol binds kiosk_id to the client certificate's CN: check it here so a
 * mis-provisioned unit fails at start, not with a bad_request at a resident's turn. */
static bool cert_cn_is(const mbedtls_x509_crt *crt, const char *id)
{
	const mbedtls_x509_name *n;
	size_t len = strlen(id);

	for (n = &crt->subject; n != NULL; n = n->next) {
		if (n->oid.p != NULL && MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &n->oid) == 0) {
			return n->val.len == len && memcmp(n->val.p, id, len) == 0;
		}
	}
	return false;
}

int center_client_setup(struct center_client *c, const struct center_settings *s)
{
	int ret;
	int rc = KIOSK_ERR_CONFIG;

	if (c == NULL || s == NULL || s->url == NULL || s->ca_file == NULL ||
	    s->client_cert == NULL || s->client_key == NULL || s->kiosk_id == NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (center_url_parse(s->url, c->host, sizeof(c->host), c->port, sizeof(c->port), c->prefix,
			     sizeof(c->prefix)) != 0 ||
	    !valid_kiosk_id(s->kiosk_id) || s->connect_timeout_ms == 0 ||
	    s->handshake_timeout_ms == 0 || s->read_timeout_ms == 0 ||
	    s->retries > CENTER_RETRIES_MAX) {
		goto out;
	}
	snprintf(c->kiosk_id, sizeof(c->kiosk_id), "%s", s->kiosk_id);
	c->connect_timeout_ms = s->connect_timeout_ms;
	c->handshake_timeout_ms = s->handshake_timeout_ms;
	c->read_timeout_ms = s->read_timeout_ms;
	c->retries = s->retries;
	if (inet_pton(AF_INET, c->host, c->host_ip) == 1) {
		c->host_is_ip = true;
		c->host_ip_len = 4;
	} else if (inet_pton(AF_INET6, c->host, c->host_ip) == 1) {
		c->host_is_ip = true;
		c->host_ip_len = 16;
	}

	ret = mbedtls_ctr_drbg_seed(&c->drbg, mbedtls_entropy_func, &c->entropy,
				    (const unsigned char *)pers, sizeof(pers) - 1);
	if (ret != 0) {
		c->last_lib_err = ret;
		rc = KIOSK_ERR_CRYPTO;
		goto out;
	}
	ret = mbedtls_x509_crt_parse_file(&c->ca, s->ca_file);
	if (ret != 0) {
		c->last_lib_err = ret;
		goto out;
	}
	ret = mbedtls_x509_crt_parse_file(&c->cert, s->client_cert);
	if (ret != 0) {
		c->last_lib_err = ret;
		goto out;
	}
	ret = mbedtls_pk_parse_keyfile(&c->key, s->client_key, NULL);
	if (ret != 0) {
		c->last_lib_err = ret;
		goto out;
	}
	ret = mbedtls_pk_check_pair(&c->cert.pk, &c->key);
	if (ret != 0) {
		c->last_lib_err = ret;
		goto out;
	}
	if (!cert_cn_is(&c->cert, c->kiosk_id)) {
		goto out;
	}
	ret = mbedtls_ssl_config_defaults(&c->conf, MBEDTLS_SSL_IS_CLIENT,
					  MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
	if (ret != 0) {
		c->last_lib_err = ret;
		rc = KIOSK_ERR_CRYPTO;
		goto out;
	}
	mbedtls_ssl_conf_min_version(&c->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
				     MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_ciphersuites(&c->conf, center_suites);
	mbedtls_ssl_conf_authmode(&c->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
	mbedtls_ssl_conf_ca_chain(&c->conf, &c->ca, NULL);
	mbedtls_ssl_conf_verify(&c->conf, verify_cb, c);
	mbedtls_ssl_conf_rng(&c->conf, mbedtls_ctr_drbg_random, &c->drbg);
	mbedtls_ssl_conf_session_tickets(&c->conf, MBEDTLS_SSL_SESSION_TICKETS_ENABLED);
	mbedtls_ssl_conf_renegotiation(&c->conf, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
	mbedtls_ssl_conf_read_timeout(&c->conf, c->read_timeout_ms);
	ret = mbedtls_ssl_conf_own_cert(&c->conf, &c->cert, &c->key);
	if (ret != 0) {
		c->last_lib_err = ret;
		rc = KIOSK_ERR_CRYPTO;
		goto out;
	}
	c->ready = true;
	rc = KIOSK_OK;
out:
	return rc;
}

void center_disconnect(struct center_client *c)
{
	if (c == NULL) {
		return;
	}
	if (c->connected) {
		/* Best effort: a short timeout so a dead peer cannot hold us. */
		(void)mbedtls_ssl_close_notify(&c->ssl);
	}
	/* mbedtls_ssl_free zeroises the record buffers (plaintext of the answer). */
	mbedtls_ssl_free(&c->ssl);
	mbedtls_ssl_init(&c->ssl);
	mbedtls_net_free(&c->net);
	mbedtls_net_init(&c->net);
	c->connected = false;
}

void center_forget_session(struct center_client *c)
{
	if (c == NULL) {
		return;
	}
	mbedtls_ssl_session_free(&c->session);
	mbedtls_ssl_session_init(&c->session);
	c->have_session = false;
}

void center_client_free(struct center_client *c)
{
	if (c == NULL) {
		return;
	}
	center_disconnect(c);
	center_forget_session(c);
	mbedtls_ssl_free(&c->ssl);
	mbedtls_ssl_config_free(&c->conf);
	mbedtls_pk_free(&c->key);
	mbedtls_x509_crt_free(&c->cert);
	mbedtls_x509_crt_free(&c->ca);
	mbedtls_ctr_drbg_free(&c->drbg);
	mbedtls_entropy_free(&c->entropy);
	mbedtls_platform_zeroize(c, sizeof(*c));
	center_client_init(c);
}

static void set_socket_timeouts(int fd, unsigned ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
	int one = 1;

	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static int tcp_connect(struct center_client *c)
{
	struct addrinfo hints;
	struct addrinfo *res = NULL;
	struct addrinfo *ai;
	long long deadline = kiosk_now_ms() + c->connect_timeout_ms;
	int rc = KIOSK_ERR_CENTER_UNREACHABLE;
	int ret;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	ret = getaddrinfo(c->host, c->port, &hints, &res);
	if (ret != 0) {
		c->last_lib_err = ret;
		return KIOSK_ERR_CENTER_UNREACHABLE;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
				ai->ai_protocol);
		int err = 0;
		socklen_t elen = sizeof(err);

		if (fd < 0) {
			c->last_lib_err = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };
			long long left;

			if (errno != EINPROGRESS) {
				c->last_lib_err = errno;
				close(fd);
				continue;
			}
			do {
				left = deadline - kiosk_now_ms();
				ret = left > 0 ? poll(&pfd, 1, (int)left) : 0;
			} while (ret < 0 && errno == EINTR);
			if (ret == 0) {
				close(fd);
				rc = KIOSK_ERR_CONNECT_TIMEOUT;
				break;
			}
			if (ret < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0 ||
			    err != 0) {
				c->last_lib_err = err != 0 ? err : errno;
				close(fd);
				continue;
			}
		}
		if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
			close(fd);
			continue;
		}
		set_socket_timeouts(fd, c->read_timeout_ms);
		c->net.fd = fd;
		rc = KIOSK_OK;
		break;
	}
	freeaddrinfo(res);
	return rc;
}

/* TLS alerts by which a server refuses the client's certificate. */
static bool refuses_client_cert(int alert)
{
	switch (alert) {
	case MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE:
	case MBEDTLS_SSL_ALERT_MSG_BAD_CERT:
	case MBEDTLS_SSL_ALERT_MSG_UNSUPPORTED_CERT:
	case MBEDTLS_SSL_ALERT_MSG_CERT_REVOKED:
	case MBEDTLS_SSL_ALERT_MSG_CERT_EXPIRED:
	case MBEDTLS_SSL_ALERT_MSG_CERT_UNKNOWN:
	case MBEDTLS_SSL_ALERT_MSG_UNKNOWN_CA:
	case MBEDTLS_SSL_ALERT_MSG_ACCESS_DENIED:
	case MBEDTLS_SSL_ALERT_MSG_DECRYPT_ERROR:
	case 116: /* certificate_required (TLS 1.3) */
		return true;
	default:
		return false;
	}
}

static int map_handshake_error(struct center_client *c, int ret)
{
	uint32_t flags;

	c->last_lib_err = ret;
	switch (ret) {
	case MBEDTLS_ERR_SSL_TIMEOUT:
		return KIOSK_ERR_TLS_HANDSHAKE_TIMEOUT;
	case MBEDTLS_ERR_X509_CERT_VERIFY_FAILED:
		flags = mbedtls_ssl_get_verify_result(&c->ssl);
		c->last_verify_flags = flags;
		/* Untrusted first: a rogue certificate is untrusted whatever its dates. */
		if (flags & (MBEDTLS_X509_BADCERT_NOT_TRUSTED | MBEDTLS_X509_BADCERT_REVOKED |
			     MBEDTLS_X509_BADCERT_BAD_MD | MBEDTLS_X509_BADCERT_BAD_PK |
			     MBEDTLS_X509_BADCERT_BAD_KEY | MBEDTLS_X509_BADCERT_OTHER)) {
			return KIOSK_ERR_TLS_UNTRUSTED;
		}
		if (flags & (MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE)) {
			return KIOSK_ERR_TLS_EXPIRED;
		}
		if (flags & MBEDTLS_X509_BADCERT_CN_MISMATCH) {
			return KIOSK_ERR_TLS_WRONG_HOST;
		}
		return KIOSK_ERR_TLS_UNTRUSTED;
	case MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE:
		if (c->ssl.in_msgtype == MBEDTLS_SSL_MSG_ALERT && c->ssl.in_msg != NULL) {
			c->last_alert = c->ssl.in_msg[1];
		}
		if (c->ssl.client_auth && refuses_client_cert(c->last_alert)) {
			return KIOSK_ERR_TLS_CLIENT_CERT_REFUSED;
		}
		return KIOSK_ERR_TLS_HANDSHAKE;
	default:
		return KIOSK_ERR_TLS_HANDSHAKE;
	}
}

/* mbedtls_net_send() uses write(): a peer that closed would raise SIGPIPE and
 * kill the kiosk. send(MSG_NOSIGNAL) turns that into an error code instead. */
static int net_send_nosignal(void *ctx, const unsigned char *buf, size_t len)
{
	const mbedtls_net_context *net = ctx;
	ssize_t n;

	do {
		n = send(net->fd, buf, len, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n >= 0) {
		return (int)n;
	}
	if (errno == EPIPE || errno == ECONNRESET) {
		return MBEDTLS_ERR_NET_CONN_RESET;
	}
	return MBEDTLS_ERR_NET_SEND_FAILED;
}

int center_connect(struct center_client *c)
{
	mbedtls_ssl_session fresh;
	long long deadline;
	int ret;
	int rc;

	if (c == NULL || !c->ready) {
		return KIOSK_ERR_INVALID_ARG;
	}
	center_disconnect(c);
	c->last_resumed = false;
	c->last_verify_flags = 0;
	c->last_alert = -1;
	mbedtls_ssl_session_init(&fresh);

	rc = tcp_connect(c);
	if (rc != 0) {
		goto out;
	}
	deadline = kiosk_now_ms() + c->handshake_timeout_ms;
	ret = mbedtls_ssl_setup(&c->ssl, &c->conf);
	if (ret == 0) {
		ret = mbedtls_ssl_set_hostname(&c->ssl, c->host_is_ip ? NULL : c->host);
	}
	if (ret == 0 && c->have_session) {
		/* A rejected session only costs a full handshake. */
		(void)mbedtls_ssl_set_session(&c->ssl, &c->session);
	}
	if (ret != 0) {
		c->last_lib_err = ret;
		rc = KIOSK_ERR_CRYPTO;
		goto out;
	}
	mbedtls_ssl_set_bio(&c->ssl, &c->net, net_send_nosignal, NULL, mbedtls_net_recv_timeout);

	/* Step by step so the whole handshake, not each read, has the deadline. */
	while (c->ssl.state != MBEDTLS_SSL_HANDSHAKE_OVER) {
		long long left = deadline - kiosk_now_ms();

		if (left <= 0) {
			rc = KIOSK_ERR_TLS_HANDSHAKE_TIMEOUT;
			goto out;
		}
		mbedtls_ssl_conf_read_timeout(&c->conf, (uint32_t)left);
		ret = mbedtls_ssl_handshake_step(&c->ssl);
		if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) {
			continue;
		}
		if (ret != 0) {
			rc = map_handshake_error(c, ret);
			goto out;
		}
	}
	mbedtls_ssl_conf_read_timeout(&c->conf, c->read_timeout_ms);
	/* authmode REQUIRED already failed the handshake otherwise; belt and braces. */
	if (mbedtls_ssl_get_verify_result(&c->ssl) != 0) {
		c->last_verify_flags = mbedtls_ssl_get_verify_result(&c->ssl);
		rc = KIOSK_ERR_TLS_UNTRUSTED;
		goto out;
	}
	c->connected = true;

	/* A resumed handshake reuses the master secret; a full one makes a new one. */
	ret = mbedtls_ssl_get_session(&c->ssl, &fresh);
	if (ret == 0) {
		c->last_resumed = c->have_session && memcmp(fresh.master, c->session.master,
								    sizeof(fresh.master)) == 0;
		mbedtls_ssl_session_free(&c->session);
		c->session = fresh;
		mbedtls_ssl_session_init(&fresh);
		c->have_session = true;
	}
	if (c->last_resumed) {
		c->handshakes_resumed++;
	} else {
		c->handshakes_full++;
	}
	rc = KIOSK_OK;
out:
	mbedtls_ssl_session_free(&fresh);
	mbedtls_ssl_conf_read_timeout(&c->conf, c->read_timeout_ms);
	if (rc != 0) {
		center_disconnect(c);
	}
	return rc;
}

static int write_all(struct center_client *c, const uint8_t *p, size_t n)
{
	while (n > 0) {
		int ret = mbedtls_ssl_write(&c->ssl, p, n);

		if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) {
			continue;
		}
		if (ret <= 0) {
			c->last_lib_err = ret;
			return KIOSK_ERR_CONNECTION_DROPPED;
		}
		c->bytes_sent += (unsigned long)ret;
		p += ret;
		n -= (size_t)ret;
	}
	return KIOSK_OK;
}

int center_http_exchange(struct center_client *c, const char *method, const char *path,
			 const uint8_t *body, size_t body_len, uint8_t *resp_body,
			 size_t resp_cap, uint8_t *scratch, size_t scratch_cap,
			 struct center_http_response *resp)
{
	struct center_http_parser hp;
	char head[1024];
	char hostport[CENTER_HOST_MAX + 16];
	int n;
	int rc;

	if (c == NULL || method == NULL || path == NULL || resp_body == NULL || scratch == NULL ||
	    scratch_cap < 1024 || resp == NULL || resp_cap > CENTER_BODY_MAX ||
	    (body == NULL && body_len != 0) || strpbrk(path, " \r\n") != NULL) {
		return KIOSK_ERR_INVALID_ARG;
	}
	memset(resp, 0, sizeof(*resp));
	n = snprintf(hostport, sizeof(hostport), "%s%s%s%s%s", c->host_ip_len == 16 ? "[" : "",
		     c->host, c->host_ip_len == 16 ? "]" : "", strcmp(c->port, "443") ? ":" : "",
		     strcmp(c->port, "443") ? c->port : "");
	if (n < 0 || (size_t)n >= sizeof(hostport)) {
		return KIOSK_ERR_INVALID_ARG;
	}
	if (body != NULL) {
		n = snprintf(head, sizeof(head),
			     "%s %s%s HTTP/1.1\r\nHost: %s\r\nKiosk-Protocol: 1\r\n"
			     "Accept: application/json\r\nConnection: close\r\n"
			     "Content-Type: application/json; charset=utf-8\r\n"
			     "Content-Length: %zu\r\n\r\n",
			     method, c->prefix, path, hostport, body_len);
	} else {
		n = snprintf(head, sizeof(head),
			     "%s %s%s HTTP/1.1\r\nHost: %s\r\nKiosk-Protocol: 1\r\n"
			     "Accept: application/json\r\nConnection: close\r\n\r\n",
			     method, c->prefix, path, hostport);
	}
	if (n < 0 || (size_t)n >= sizeof(head)) {
		return KIOSK_ERR_INVALID_ARG;
	}

	rc = center_connect(c);
	if (rc != 0) {
		return rc;
	}
	rc = write_all(c, (const uint8_t *)head, (size_t)n);
	if (rc == 0 && body != NULL) {
		rc = write_all(c, body, body_len);
	}
	center_http_parser_init(&hp, resp_body, resp_cap);
	while (rc == 0 && !hp.complete) {
		int ret = mbedtls_ssl_read(&c->ssl, scratch, scratch_cap);

		if (ret > 0) {
			rc = center_http_parser_feed(&hp, scratch, (size_t)ret);
		} else if (ret == 0 || ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY ||
			   ret == MBEDTLS_ERR_SSL_CONN_EOF || ret == MBEDTLS_ERR_NET_CONN_RESET) {
			c->last_lib_err = ret;
			rc = center_http_parser_eof(&hp);
			break;
		} else if (ret == MBEDTLS_ERR_SSL_TIMEOUT) {
			rc = KIOSK_ERR_READ_TIMEOUT;
		} else if (ret != MBEDTLS_ERR_SSL_WANT_READ && ret != MBEDTLS_ERR_SSL_WANT_WRITE) {
			c->last_lib_err = ret;
			rc = KIOSK_ERR_CONNECTION_DROPPED;
		}
	}
	if (rc == 0) {
		center_http_parser_result(&hp, resp);
	}
	mbedtls_platform_zeroize(scratch, scratch_cap);
	mbedtls_platform_zeroize(&hp, sizeof(hp));
	center_disconnect(c);
	return rc;
}
