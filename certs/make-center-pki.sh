#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# make-center-pki.sh OUTDIR
#
# Generates the TEST-ONLY key material for the certificate-center path: mutual
# TLS between kiosk and center, the SMART Health Card issuer key set, and the
# ICAO VDS-NC signing chain. All keys are ECDSA P-256.
#
#   OUTDIR/center-ca.{key,crt}.pem         CA the kiosk pins for the center
#   OUTDIR/center.{key,crt}.pem            server cert: CN/SAN localhost, IP 127.0.0.1
#   OUTDIR/center-expired.crt.pem          same key, validity 2020-2021 (fault)
#   OUTDIR/center-wronghost.crt.pem        same key, SAN wrong.kiosk.test only (fault)
#   OUTDIR/rogue-ca.{key,crt}.pem          a CA nobody trusts
#   OUTDIR/center-rogue.crt.pem            server cert (localhost) from the rogue CA
#   OUTDIR/kiosk-ca.{key,crt}.pem          CA the center pins for kiosks
#   OUTDIR/kiosk.{key,crt}.pem             the simulated kiosk's client cert (CN KIOSK-SIM-0001)
#   OUTDIR/kiosk-rogue.{key,crt}.pem       a client cert from the rogue CA (fault)
#   OUTDIR/shc-issuer.key.pem              SMART Health Card issuer key
#   OUTDIR/shc-jwks.json                   its public JWKS; kid = RFC 7638 thumbprint
#   OUTDIR/shc-rogue.key.pem               an issuer key nobody trusts (fault), and shc-rogue-jwks.json
#   OUTDIR/csca.{key,crt}.pem              test CSCA (VDS-NC trust anchor)
#   OUTDIR/vdsnc-signer.{key,crt}.pem      VDS-NC signer, issued by the CSCA
#   OUTDIR/foreign-csca.{key,crt}.pem      a CSCA nobody trusts, and foreign-signer.{key,crt}.pem
#   OUTDIR/TEST-ONLY, OUTDIR/stamp
#
# Idempotent: existing keys are kept. Nothing here may reach a production kiosk.
set -euo pipefail

if [ "$#" -ne 1 ]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi
out=$1
umask 077
mkdir -p "$out"
cd "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

key() { # key NAME: an EC P-256 private key, once
	[ -s "$1.key.pem" ] || openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-out "$1.key.pem" 2>/dev/null
}

ca() { # ca NAME "SUBJECT"
	key "$1"
	[ -s "$1.crt.pem" ] || openssl req -x509 -new -key "$1.key.pem" -sha256 -days 3650 \
		-subj "$2" -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" -out "$1.crt.pem" 2>/dev/null
}

# issue CA KEYNAME OUT "SUBJECT" "EXTENSIONS" [STARTDATE ENDDATE]
issue() {
	local ca=$1 k=$2 crt=$3 subj=$4 ext=$5 start=${6:-} end=${7:-}
	[ -s "$crt" ] && return 0
	openssl req -new -key "$k.key.pem" -subj "$subj" -out "$tmp/req.csr" 2>/dev/null
	printf '%s\n' "$ext" | tr ';' '\n' > "$tmp/ext.cnf"
	if [ -n "$start" ]; then
		# openssl ca is the only stock tool that takes explicit dates.
		mkdir -p "$tmp/ca/newcerts"
		: > "$tmp/ca/index.txt"
		printf '%s\n' "$(openssl rand -hex 8)" > "$tmp/ca/serial"
		cat > "$tmp/ca.cnf" <<CNF
[ca]
default_ca = d
[d]
dir = $tmp/ca
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
serial = \$dir/serial
default_md = sha256
policy = p
copy_extensions = none
[p]
commonName = supplied
CNF
		openssl ca -batch -config "$tmp/ca.cnf" -cert "$ca.crt.pem" -keyfile "$ca.key.pem" \
			-in "$tmp/req.csr" -out "$crt" -startdate "$start" -enddate "$end" \
			-extfile "$tmp/ext.cnf" -notext 2>/dev/null
	else
		openssl x509 -req -in "$tmp/req.csr" -CA "$ca.crt.pem" -CAkey "$ca.key.pem" \
			-CAcreateserial -sha256 -days 825 -extfile "$tmp/ext.cnf" -out "$crt" 2>/dev/null
	fi
}

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

jwks() { # jwks KEYNAME OUT: {"keys":[{kty,kid,use,alg,crv,x,y}]}, kid = RFC 7638 thumbprint
	local der="$tmp/pub.der" x y kid
	openssl pkey -in "$1.key.pem" -pubout -outform DER -out "$der" 2>/dev/null
	# P-256 SubjectPublicKeyInfo ends with the 64 bytes X || Y.
	x=$(tail -c 64 "$der" | head -c 32 | b64url)
	y=$(tail -c 32 "$der" | b64url)
	kid=$(printf '{"crv":"P-256","kty":"EC","x":"%s","y":"%s"}' "$x" "$y" |
		openssl dgst -sha256 -binary | b64url)
	printf '{"keys":[{"kty":"EC","kid":"%s","use":"sig","alg":"ES256","crv":"P-256","x":"%s","y":"%s"}]}\n' \
		"$kid" "$x" "$y" > "$2"
}

SERVER_EXT="basicConstraints=CA:FALSE;keyUsage=critical,digitalSignature;extendedKeyUsage=serverAuth"
CLIENT_EXT="basicConstraints=CA:FALSE;keyUsage=critical,digitalSignature;extendedKeyUsage=clientAuth"
SIGNER_EXT="basicConstraints=CA:FALSE;keyUsage=critical,digitalSignature"

ca center-ca "/O=Kiosk TEST ONLY/CN=Test Certificate Center CA"
key center
issue center-ca center center.crt.pem "/O=Kiosk TEST ONLY/CN=localhost" \
	"$SERVER_EXT;subjectAltName=DNS:localhost,IP:127.0.0.1"
issue center-ca center center-expired.crt.pem "/O=Kiosk TEST ONLY/CN=localhost" \
	"$SERVER_EXT;subjectAltName=DNS:localhost,IP:127.0.0.1" 20200101000000Z 20210101000000Z
issue center-ca center center-wronghost.crt.pem "/O=Kiosk TEST ONLY/CN=wrong.kiosk.test" \
	"$SERVER_EXT;subjectAltName=DNS:wrong.kiosk.test"

ca rogue-ca "/O=Nobody TEST ONLY/CN=Rogue CA"
issue rogue-ca center center-rogue.crt.pem "/O=Nobody TEST ONLY/CN=localhost" \
	"$SERVER_EXT;subjectAltName=DNS:localhost,IP:127.0.0.1"

ca kiosk-ca "/O=Kiosk TEST ONLY/CN=Test Kiosk CA"
key kiosk
issue kiosk-ca kiosk kiosk.crt.pem "/O=Kiosk TEST ONLY/CN=KIOSK-SIM-0001" "$CLIENT_EXT"
key kiosk-rogue
issue rogue-ca kiosk-rogue kiosk-rogue.crt.pem "/O=Nobody TEST ONLY/CN=KIOSK-ROGUE" "$CLIENT_EXT"

key shc-issuer
jwks shc-issuer shc-jwks.json
key shc-rogue
jwks shc-rogue shc-rogue-jwks.json

ca csca "/C=JP/O=Kiosk TEST ONLY/CN=Test CSCA Japan"
key vdsnc-signer
issue csca vdsnc-signer vdsnc-signer.crt.pem "/C=JP/O=Kiosk TEST ONLY/CN=Test VDS-NC Signer" \
	"$SIGNER_EXT"
ca foreign-csca "/C=XX/O=Nobody TEST ONLY/CN=Foreign CSCA"
key foreign-signer
issue foreign-csca foreign-signer foreign-signer.crt.pem "/C=XX/O=Nobody TEST ONLY/CN=Foreign Signer" \
	"$SIGNER_EXT"

rm -f ./*.srl
echo "TEST-ONLY: generated by certs/make-center-pki.sh; never install on a production kiosk." > TEST-ONLY
date -u +%FT%TZ > stamp
