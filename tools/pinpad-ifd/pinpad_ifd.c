/* SPDX-License-Identifier: MIT */
/*
 * pinpad_ifd: a virtual PC/SC part 10 PIN-pad reader for tests (TEST TOOL).
 *
 * A pcscd reader driver (IFD handler 3.0) that speaks the vpcd wire protocol
 * to the card simulator exactly as vpcd does (it listens on the port from
 * DEVICENAME "/dev/null:PORT"; the card connects, 2-byte big-endian length
 * frames, 1-byte control codes 00/01/02/04), and adds what vpcd lacks:
 * CM_IOCTL_GET_FEATURE_REQUEST with FEATURE_VERIFY_PIN_DIRECT,
 * FEATURE_IFD_PIN_PROPERTIES and FEATURE_GET_TLV_PROPERTIES (4..4 digits).
 *
 * The "keypad": on VERIFY_PIN_DIRECT the driver waits up to bTimerOut seconds
 * for a file to appear, consumes it (unlink) and reads one line: digits are
 * the typed PIN, "cancel" is the cancel key. No file in time answers 64 00,
 * cancel answers 64 01; neither reaches the card. The file's path is
 * $PINPAD_IFD_KEYPAD, else $KIOSK_RIG_DIR/keypad, else /tmp/pinpad-ifd-PORT.keypad
 * (read when the channel is created). The typed digits are never logged and
 * are wiped after use.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <PCSC/ifdhandler.h>
#include <PCSC/reader.h>

#define MAX_READERS 4
#define IO_TIMEOUT_MS 10000
#define DEFAULT_KEYPAD_S 30
#define KEYPAD_POLL_MS 50
#define FRAME_MAX 65535u
#define PIN_MIN 4
#define PIN_MAX 4
#define VERIFY_HDR_LEN 19u /* PIN_VERIFY_STRUCTURE without abData */

/* The control codes this reader answers, the way libccid numbers them. */
#define PINPAD_CLASS2_MAGIC 0x330000
#define IOCTL_VERIFY_PIN_DIRECT SCARD_CTL_CODE(FEATURE_VERIFY_PIN_DIRECT + PINPAD_CLASS2_MAGIC)
#define IOCTL_IFD_PIN_PROPERTIES SCARD_CTL_CODE(FEATURE_IFD_PIN_PROPERTIES + PINPAD_CLASS2_MAGIC)
#define IOCTL_GET_TLV_PROPERTIES SCARD_CTL_CODE(FEATURE_GET_TLV_PROPERTIES + PINPAD_CLASS2_MAGIC)

struct pinpad_reader {
	int used;
	int port;
	int lfd; /* listening socket */
	int cfd; /* the card's connection, -1 when no card */
	unsigned char atr[MAX_ATR_SIZE];
	DWORD atr_len;
	char keypad[512];
};

static struct pinpad_reader readers[MAX_READERS];
static pthread_mutex_t readers_mu = PTHREAD_MUTEX_INITIALIZER;

static void wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n-- > 0) {
		*v++ = 0;
	}
}

static struct pinpad_reader *reader_of(DWORD lun)
{
	size_t i = (lun >> 16) % MAX_READERS;

	return readers[i].used ? &readers[i] : NULL;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void card_gone(struct pinpad_reader *r)
{
	if (r->cfd >= 0) {
		close(r->cfd);
		r->cfd = -1;
	}
	r->atr_len = 0;
}

static int send_frame(struct pinpad_reader *r, const unsigned char *buf, size_t len)
{
	unsigned char *msg;
	size_t off = 0;
	ssize_t n;
	int rc = 0;

	if (r->cfd < 0 || len == 0 || len > FRAME_MAX) {
		return -1;
	}
	msg = malloc(len + 2);
	if (msg == NULL) {
		return -1;
	}
	/* Length and payload in one write (sim-rig §4 pitfall). */
	msg[0] = (unsigned char)(len >> 8);
	msg[1] = (unsigned char)len;
	memcpy(msg + 2, buf, len);
	while (off < len + 2) {
		n = send(r->cfd, msg + off, len + 2 - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			rc = -1;
			break;
		}
		off += (size_t)n;
	}
	wipe(msg, len + 2);
	free(msg);
	if (rc != 0) {
		card_gone(r);
	}
	return rc;
}

static int recv_all(struct pinpad_reader *r, unsigned char *buf, size_t len, long deadline)
{
	struct pollfd pfd;
	size_t off = 0;
	ssize_t n;
	long left;
	int one = 1;

	while (off < len) {
		left = deadline - now_ms();
		if (left <= 0) {
			return -1;
		}
		pfd.fd = r->cfd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, (int)left) <= 0) {
			if (errno == EINTR) {
				continue;
			}
			return -1;
		}
		(void)setsockopt(r->cfd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
		n = recv(r->cfd, buf + off, len - off, 0);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return -1;
		}
		off += (size_t)n;
	}
	return 0;
}

/* One answer frame into @buf (@cap bytes); the length in *@len. */
static int recv_frame(struct pinpad_reader *r, unsigned char *buf, size_t cap, size_t *len)
{
	unsigned char hdr[2];
	long deadline = now_ms() + IO_TIMEOUT_MS;
	size_t n;

	*len = 0;
	if (r->cfd < 0 || recv_all(r, hdr, 2, deadline) != 0) {
		card_gone(r);
		return -1;
	}
	n = ((size_t)hdr[0] << 8) | hdr[1];
	if (n == 0 || n > cap || recv_all(r, buf, n, deadline) != 0) {
		card_gone(r);
		return -1;
	}
	*len = n;
	return 0;
}

static int ctrl(struct pinpad_reader *r, unsigned char code)
{
	return send_frame(r, &code, 1);
}

static int fetch_atr(struct pinpad_reader *r)
{
	unsigned char buf[FRAME_MAX];
	size_t n;

	if (ctrl(r, 0x04) != 0 || recv_frame(r, buf, sizeof(buf), &n) != 0) {
		return -1;
	}
	if (n > MAX_ATR_SIZE) {
		n = MAX_ATR_SIZE;
	}
	memcpy(r->atr, buf, n);
	r->atr_len = (DWORD)n;
	return 0;
}

static void try_accept(struct pinpad_reader *r)
{
	int fd;
	int one = 1;

	if (r->cfd >= 0 || r->lfd < 0) {
		return;
	}
	fd = accept4(r->lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0) {
		return;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	r->cfd = fd;
}

static int listen_on(int port)
{
	struct sockaddr_in sa;
	int one = 1;
	int fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return -1;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 1) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static RESPONSECODE open_reader(DWORD lun, int port)
{
	struct pinpad_reader *r = &readers[(lun >> 16) % MAX_READERS];
	const char *env;

	if (r->used || port <= 0 || port > 65535) {
		return IFD_COMMUNICATION_ERROR;
	}
	memset(r, 0, sizeof(*r));
	r->cfd = -1;
	r->port = port;
	r->lfd = listen_on(port);
	if (r->lfd < 0) {
		return IFD_COMMUNICATION_ERROR;
	}
	env = getenv("PINPAD_IFD_KEYPAD");
	if (env != NULL && env[0] != '\0') {
		snprintf(r->keypad, sizeof(r->keypad), "%s", env);
	} else if ((env = getenv("KIOSK_RIG_DIR")) != NULL && env[0] != '\0') {
		snprintf(r->keypad, sizeof(r->keypad), "%s/keypad", env);
	} else {
		snprintf(r->keypad, sizeof(r->keypad), "/tmp/pinpad-ifd-%d.keypad", port);
	}
	r->used = 1;
	return IFD_SUCCESS;
}

RESPONSECODE IFDHCreateChannelByName(DWORD Lun, LPSTR DeviceName)
{
	const char *colon = DeviceName != NULL ? strrchr(DeviceName, ':') : NULL;
	RESPONSECODE rc;

	pthread_mutex_lock(&readers_mu);
	rc = open_reader(Lun, colon != NULL ? atoi(colon + 1) : 35963);
	pthread_mutex_unlock(&readers_mu);
	return rc;
}

RESPONSECODE IFDHCreateChannel(DWORD Lun, DWORD Channel)
{
	RESPONSECODE rc;

	pthread_mutex_lock(&readers_mu);
	rc = open_reader(Lun, 35963 + (int)Channel);
	pthread_mutex_unlock(&readers_mu);
	return rc;
}

RESPONSECODE IFDHCloseChannel(DWORD Lun)
{
	struct pinpad_reader *r;

	pthread_mutex_lock(&readers_mu);
	r = reader_of(Lun);
	if (r != NULL) {
		card_gone(r);
		if (r->lfd >= 0) {
			close(r->lfd);
		}
		memset(r, 0, sizeof(*r));
	}
	pthread_mutex_unlock(&readers_mu);
	return IFD_SUCCESS;
}

RESPONSECODE IFDHGetCapabilities(DWORD Lun, DWORD Tag, PDWORD Length, PUCHAR Value)
{
	struct pinpad_reader *r = reader_of(Lun);

	if (r == NULL || Length == NULL || Value == NULL) {
		return IFD_COMMUNICATION_ERROR;
	}
	switch (Tag) {
	case TAG_IFD_ATR:
	case SCARD_ATTR_ATR_STRING:
		if (*Length < r->atr_len) {
			return IFD_ERROR_INSUFFICIENT_BUFFER;
		}
		memcpy(Value, r->atr, r->atr_len);
		*Length = r->atr_len;
		return IFD_SUCCESS;
	case TAG_IFD_SLOTS_NUMBER:
	case TAG_IFD_SIMULTANEOUS_ACCESS:
		if (*Length < 1) {
			return IFD_ERROR_INSUFFICIENT_BUFFER;
		}
		Value[0] = Tag == TAG_IFD_SLOTS_NUMBER ? 1 : MAX_READERS;
		*Length = 1;
		return IFD_SUCCESS;
	case TAG_IFD_THREAD_SAFE:
	case TAG_IFD_SLOT_THREAD_SAFE:
		if (*Length < 1) {
			return IFD_ERROR_INSUFFICIENT_BUFFER;
		}
		Value[0] = 0; /* pcscd serialises the calls for us */
		*Length = 1;
		return IFD_SUCCESS;
	default:
		return IFD_ERROR_TAG;
	}
}

RESPONSECODE IFDHSetCapabilities(DWORD Lun, DWORD Tag, DWORD Length, PUCHAR Value)
{
	(void)Lun;
	(void)Tag;
	(void)Length;
	(void)Value;
	return IFD_NOT_SUPPORTED;
}

RESPONSECODE IFDHSetProtocolParameters(DWORD Lun, DWORD Protocol, UCHAR Flags, UCHAR PTS1,
				       UCHAR PTS2, UCHAR PTS3)
{
	(void)Flags;
	(void)PTS1;
	(void)PTS2;
	(void)PTS3;
	if (reader_of(Lun) == NULL) {
		return IFD_COMMUNICATION_ERROR;
	}
	/* Like vpcd: T=1 only; protocol parameters are meaningless here. */
	return Protocol == SCARD_PROTOCOL_T1 ? IFD_SUCCESS : IFD_PROTOCOL_NOT_SUPPORTED;
}

RESPONSECODE IFDHPowerICC(DWORD Lun, DWORD Action, PUCHAR Atr, PDWORD AtrLength)
{
	struct pinpad_reader *r = reader_of(Lun);

	if (AtrLength != NULL && Action == IFD_POWER_DOWN) {
		*AtrLength = 0;
	}
	if (r == NULL || r->cfd < 0) {
		if (AtrLength != NULL) {
			*AtrLength = 0;
		}
		return IFD_COMMUNICATION_ERROR;
	}
	switch (Action) {
	case IFD_POWER_DOWN:
		return ctrl(r, 0x00) == 0 ? IFD_SUCCESS : IFD_COMMUNICATION_ERROR;
	case IFD_POWER_UP:
	case IFD_RESET:
		if (ctrl(r, Action == IFD_POWER_UP ? 0x01 : 0x02) != 0 || fetch_atr(r) != 0) {
			if (AtrLength != NULL) {
				*AtrLength = 0;
			}
			return IFD_COMMUNICATION_ERROR;
		}
		if (Atr != NULL && AtrLength != NULL) {
			memcpy(Atr, r->atr, r->atr_len);
			*AtrLength = r->atr_len;
		}
		return IFD_SUCCESS;
	default:
		return IFD_NOT_SUPPORTED;
	}
}

/* One APDU to the card and its whole answer back. */
static RESPONSECODE exchange(struct pinpad_reader *r, const unsigned char *cmd, size_t clen,
			     unsigned char *rsp, size_t cap, size_t *rlen)
{
	unsigned char buf[FRAME_MAX];
	size_t n;

	*rlen = 0;
	if (send_frame(r, cmd, clen) != 0 || recv_frame(r, buf, sizeof(buf), &n) != 0) {
		return IFD_COMMUNICATION_ERROR;
	}
	if (n > cap) {
		wipe(buf, n);
		return IFD_ERROR_INSUFFICIENT_BUFFER;
	}
	memcpy(rsp, buf, n);
	wipe(buf, n);
	*rlen = n;
	return IFD_SUCCESS;
}

RESPONSECODE IFDHTransmitToICC(DWORD Lun, SCARD_IO_HEADER SendPci, PUCHAR TxBuffer,
			       DWORD TxLength, PUCHAR RxBuffer, PDWORD RxLength,
			       PSCARD_IO_HEADER RecvPci)
{
	struct pinpad_reader *r = reader_of(Lun);
	RESPONSECODE rc;
	size_t n = 0;

	(void)SendPci;
	(void)RecvPci;
	if (r == NULL || RxLength == NULL || TxBuffer == NULL || TxLength < 2) {
		if (RxLength != NULL) {
			*RxLength = 0;
		}
		return IFD_COMMUNICATION_ERROR;
	}
	rc = exchange(r, TxBuffer, TxLength, RxBuffer, *RxLength, &n);
	*RxLength = (DWORD)n;
	return rc;
}

RESPONSECODE IFDHICCPresence(DWORD Lun)
{
	struct pinpad_reader *r = reader_of(Lun);

	if (r == NULL) {
		return IFD_COMMUNICATION_ERROR;
	}
	try_accept(r);
	if (r->cfd < 0) {
		return IFD_ICC_NOT_PRESENT;
	}
	return fetch_atr(r) == 0 && r->atr_len > 0 ? IFD_ICC_PRESENT : IFD_ICC_NOT_PRESENT;
}

/* ---- part 10 -------------------------------------------------------------- */

static void put_tlv(unsigned char *out, size_t *n, unsigned char tag, uint32_t ioctl)
{
	out[(*n)++] = tag;
	out[(*n)++] = 4;
	out[(*n)++] = (unsigned char)(ioctl >> 24);
	out[(*n)++] = (unsigned char)(ioctl >> 16);
	out[(*n)++] = (unsigned char)(ioctl >> 8);
	out[(*n)++] = (unsigned char)ioctl;
}

enum keypad_result { KEYPAD_DIGITS, KEYPAD_CANCEL, KEYPAD_TIMEOUT, KEYPAD_BAD, KEYPAD_REMOVED };

/* The card never talks unprompted: anything readable on its socket means it left. */
static bool card_left(struct pinpad_reader *r)
{
	struct pollfd pfd = { .fd = r->cfd, .events = POLLIN | POLLRDHUP };

	if (r->cfd < 0) {
		return true;
	}
	if (poll(&pfd, 1, 0) > 0 && pfd.revents != 0) {
		card_gone(r);
		return true;
	}
	return false;
}

/*
 * Wait for the test's keypad file, consume it, and read the "keys".
 * @digits gets at most @cap digits, *@ndigits how many.
 */
static enum keypad_result read_keypad(struct pinpad_reader *r, unsigned timeout_s, char *digits,
				      size_t cap, size_t *ndigits)
{
	const char *path = r->keypad;
	long deadline = now_ms() + (long)timeout_s * 1000;
	char buf[64];
	ssize_t n = -1;
	size_t i;
	size_t len;
	int fd;
	enum keypad_result res = KEYPAD_BAD;

	*ndigits = 0;
	for (;;) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			break;
		}
		if (card_left(r)) {
			return KEYPAD_REMOVED; /* a real reader aborts the entry too */
		}
		if (now_ms() >= deadline) {
			return KEYPAD_TIMEOUT;
		}
		usleep(KEYPAD_POLL_MS * 1000);
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	(void)unlink(path);
	if (n < 0) {
		return KEYPAD_BAD;
	}
	len = (size_t)n;
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r' || buf[len - 1] == ' ')) {
		len--;
	}
	buf[len] = '\0';
	if (strcmp(buf, "cancel") == 0) {
		res = KEYPAD_CANCEL;
	} else if (len > 0 && len <= cap) {
		res = KEYPAD_DIGITS;
		for (i = 0; i < len; i++) {
			if (buf[i] < '0' || buf[i] > '9') {
				res = KEYPAD_BAD;
				break;
			}
			digits[i] = buf[i];
		}
		*ndigits = res == KEYPAD_DIGITS ? len : 0;
	}
	wipe(buf, sizeof(buf));
	return res;
}

static void sw(unsigned char *rx, LPDWORD ret, unsigned char sw1, unsigned char sw2)
{
	rx[0] = sw1;
	rx[1] = sw2;
	*ret = 2;
}

/* VERIFY_PIN_DIRECT: bmFormatString in bytes, ASCII/BCD/binary digits at the offset. */
static RESPONSECODE verify_direct(struct pinpad_reader *r, const unsigned char *tx, DWORD txlen,
				  unsigned char *rx, DWORD rxcap, LPDWORD ret)
{
	unsigned char apdu[5 + 255];
	unsigned char rsp[FRAME_MAX];
	char digits[16];
	size_t ndigits = 0;
	size_t dlen, pos, i, n = 0;
	unsigned timeout_s, min, max, fmt;
	enum keypad_result kr;
	RESPONSECODE rc;

	if (rxcap < 2 || txlen < VERIFY_HDR_LEN) {
		return IFD_COMMUNICATION_ERROR;
	}
	dlen = (size_t)tx[15] | (size_t)tx[16] << 8 | (size_t)tx[17] << 16 | (size_t)tx[18] << 24;
	if (dlen != txlen - VERIFY_HDR_LEN || dlen < 5 || dlen > sizeof(apdu)) {
		return IFD_COMMUNICATION_ERROR;
	}
	/* wPINMaxExtraDigit, little-endian: 0xXXYY = min XX, max YY. */
	max = tx[5];
	min = tx[6];
	fmt = tx[2];
	if ((fmt & 0x80) == 0 || (fmt & 0x03) == 0x03 || min < PIN_MIN || max > PIN_MAX ||
	    min > max) {
		sw(rx, ret, 0x6B, 0x80); /* this reader: byte units, 4-digit PINs */
		return IFD_SUCCESS;
	}
	pos = 5 + ((fmt >> 3) & 0x0F);
	memcpy(apdu, tx + VERIFY_HDR_LEN, dlen);
	timeout_s = tx[0] != 0 ? tx[0] : DEFAULT_KEYPAD_S;

	kr = read_keypad(r, timeout_s, digits, sizeof(digits), &ndigits);
	if (kr == KEYPAD_REMOVED) {
		return IFD_COMMUNICATION_ERROR;
	}
	if (kr == KEYPAD_TIMEOUT) {
		sw(rx, ret, 0x64, 0x00);
		return IFD_SUCCESS;
	}
	if (kr == KEYPAD_CANCEL) {
		sw(rx, ret, 0x64, 0x01);
		return IFD_SUCCESS;
	}
	if (kr != KEYPAD_DIGITS || ndigits < min || ndigits > max ||
	    pos + ((fmt & 0x03) == 0x02 ? ndigits : (ndigits + 1) / 2) > dlen) {
		wipe(digits, sizeof(digits));
		sw(rx, ret, 0x6B, 0x80);
		return IFD_SUCCESS;
	}
	for (i = 0; i < ndigits; i++) {
		unsigned d = (unsigned)(digits[i] - '0');

		switch (fmt & 0x03) {
		case 0x02: /* ASCII */
			apdu[pos + i] = (unsigned char)digits[i];
			break;
		case 0x01: /* BCD: two digits per byte */
			if (i % 2 == 0) {
				apdu[pos + i / 2] = (unsigned char)((d << 4) | 0x0F);
			} else {
				apdu[pos + i / 2] = (unsigned char)((apdu[pos + i / 2] & 0xF0) | d);
			}
			break;
		default: /* binary */
			apdu[pos + i] = (unsigned char)d;
			break;
		}
	}
	wipe(digits, sizeof(digits));
	rc = exchange(r, apdu, dlen, rsp, sizeof(rsp), &n);
	wipe(apdu, sizeof(apdu));
	if (rc != IFD_SUCCESS || n < 2) {
		wipe(rsp, n);
		return IFD_COMMUNICATION_ERROR;
	}
	/* Only SW1 SW2 go back, as a CCID pinpad reader does. */
	sw(rx, ret, rsp[n - 2], rsp[n - 1]);
	wipe(rsp, n);
	return IFD_SUCCESS;
}

RESPONSECODE IFDHControl(DWORD Lun, DWORD dwControlCode, PUCHAR TxBuffer, DWORD TxLength,
			 PUCHAR RxBuffer, DWORD RxLength, LPDWORD pdwBytesReturned)
{
	struct pinpad_reader *r = reader_of(Lun);
	size_t n = 0;

	if (pdwBytesReturned == NULL) {
		return IFD_COMMUNICATION_ERROR;
	}
	*pdwBytesReturned = 0;
	if (r == NULL) {
		return IFD_COMMUNICATION_ERROR;
	}
	if (dwControlCode == CM_IOCTL_GET_FEATURE_REQUEST) {
		if (RxBuffer == NULL || RxLength < 18) {
			return IFD_ERROR_INSUFFICIENT_BUFFER;
		}
		put_tlv(RxBuffer, &n, FEATURE_VERIFY_PIN_DIRECT, IOCTL_VERIFY_PIN_DIRECT);
		put_tlv(RxBuffer, &n, FEATURE_IFD_PIN_PROPERTIES, IOCTL_IFD_PIN_PROPERTIES);
		put_tlv(RxBuffer, &n, FEATURE_GET_TLV_PROPERTIES, IOCTL_GET_TLV_PROPERTIES);
		*pdwBytesReturned = (DWORD)n;
		return IFD_SUCCESS;
	}
	if (dwControlCode == IOCTL_IFD_PIN_PROPERTIES) {
		/* PIN_PROPERTIES_STRUCTURE: wLcdLayout 0 (no display), validation key, no timeout2. */
		static const unsigned char props[4] = { 0x00, 0x00, 0x02, 0x00 };

		if (RxBuffer == NULL || RxLength < sizeof(props)) {
			return IFD_ERROR_INSUFFICIENT_BUFFER;
		}
		memcpy(RxBuffer, props, sizeof(props));
		*pdwBytesReturned = sizeof(props);
		return IFD_SUCCESS;
	}
	if (dwControlCode == IOCTL_GET_TLV_PROPERTIES) {
		static const unsigned char tlv[] = {
			PCSCv2_PART10_PROPERTY_wLcdLayout, 2, 0x00, 0x00,
			PCSCv2_PART10_PROPERTY_bEntryValidationCondition, 1, 0x02,
			PCSCv2_PART10_PROPERTY_bTimeOut2, 1, 0x00,
			PCSCv2_PART10_PROPERTY_bMinPINSize, 1, PIN_MIN,
			PCSCv2_PART10_PROPERTY_bMaxPINSize, 1, PIN_MAX,
		};

		if (RxBuffer == NULL || RxLength < sizeof(tlv)) {
			return IFD_ERROR_INSUFFICIENT_BUFFER;
		}
		memcpy(RxBuffer, tlv, sizeof(tlv));
		*pdwBytesReturned = sizeof(tlv);
		return IFD_SUCCESS;
	}
	if (dwControlCode == IOCTL_VERIFY_PIN_DIRECT) {
		if (TxBuffer == NULL || RxBuffer == NULL || r->cfd < 0) {
			return IFD_COMMUNICATION_ERROR;
		}
		return verify_direct(r, TxBuffer, TxLength, RxBuffer, RxLength, pdwBytesReturned);
	}
	return IFD_ERROR_NOT_SUPPORTED;
}
