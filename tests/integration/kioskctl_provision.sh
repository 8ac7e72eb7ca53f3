#!/usr/bin/env bash
# kioskctl provision: key made on the unit (0600, never overwritten), CSR that
# openssl verifies, certificate checks (another key, expired, other CA), signed
# anchor bundles (tampered ones refused with nothing installed), status without
# secrets.
# usage: kioskctl_provision.sh KIOSKCTL PROVISION_PKI CENTER_PKI CARD_TEST_PKI
set -euo pipefail
kioskctl=$1 ppki=$2 cpki=$3 tpki=$4

fails=0 passes=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
check() {
	local what=$1
	shift
	if "$@"; then passes=$((passes + 1)); else fails=$((fails + 1)); echo "FAIL: $what" >&2; fi
}
# run ARGS...: kioskctl with its exit code in $code and stderr in $work/err
run() {
	set +e
	"$kioskctl" "$@" >"$work/out" 2>"$work/err"
	code=$?
	set -e
}
says() { grep -qF -- "$1" "$work/err"; }
# flip FILE OFFSET: xor one byte with 1
flip() {
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	# shellcheck disable=SC2059
	printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
offset_of() { grep -abo -- "$2" "$1" | head -n1 | cut -d: -f1; }
tree_sum() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum) 2>/dev/null; }

unit=$work/unit
mkdir -p "$work"

# --- key -------------------------------------------------------------------
run provision keygen --dir "$unit"
check "keygen: exit 0" [ "$code" -eq 0 ]
check "keygen: key mode 0600" [ "$(stat -c %a "$unit/kiosk.key.pem")" = 600 ]
check "keygen: EC P-256" bash -c "openssl pkey -in '$unit/kiosk.key.pem' -noout -text | grep -q 'NIST CURVE: P-256'"
check "keygen: prints no key" [ ! -s "$work/out" ]
sum_before=$(sha256sum "$unit/kiosk.key.pem")
run provision keygen --dir "$unit"
check "keygen again: refused (exit 2)" [ "$code" -eq 2 ]
check "keygen again: says so" says "refusing to overwrite"
check "keygen again: key unchanged" [ "$(sha256sum "$unit/kiosk.key.pem")" = "$sum_before" ]

# --- CSR -------------------------------------------------------------------
run provision csr --dir "$unit" --kiosk-id KIOSK-TEST-0042 --board kiosk-x86
check "csr: exit 0" [ "$code" -eq 0 ]
check "csr: openssl req -verify" openssl req -verify -noout -in "$unit/kiosk.csr.pem"
subj=$(openssl req -noout -subject -in "$unit/kiosk.csr.pem")
check "csr: CN is the kiosk id" grep -q "CN = KIOSK-TEST-0042" <<<"$subj"
check "csr: board name in OU" grep -q "OU = kiosk-x86" <<<"$subj"
check "csr: SHA-256" bash -c "openssl req -noout -text -in '$unit/kiosk.csr.pem' | grep -q 'ecdsa-with-SHA256'"
check "csr: same public key as the unit key" [ "$(openssl req -noout -pubkey -in "$unit/kiosk.csr.pem")" = "$(openssl pkey -pubout -in "$unit/kiosk.key.pem")" ]
run provision csr --dir "$unit" --kiosk-id 'bad,id=x' --board kiosk-x86
check "csr: odd kiosk id refused" [ "$code" -eq 2 ]

# --- certificate -------------------------------------------------------------
ext=$work/ext.cnf
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n' > "$ext"
openssl x509 -req -in "$unit/kiosk.csr.pem" -CA "$ppki/kiosk-ca.crt.pem" -CAkey "$ppki/kiosk-ca.key.pem" \
	-CAcreateserial -CAserial "$work/ca.srl" -days 30 -sha256 -extfile "$ext" -out "$work/good.crt" 2>/dev/null
# a certificate properly issued, but for another key
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/other.key" 2>/dev/null
openssl req -new -key "$work/other.key" -subj "/CN=KIOSK-TEST-0042" -out "$work/other.csr" 2>/dev/null
openssl x509 -req -in "$work/other.csr" -CA "$ppki/kiosk-ca.crt.pem" -CAkey "$ppki/kiosk-ca.key.pem" \
	-CAserial "$work/ca.srl" -days 30 -sha256 -extfile "$ext" -out "$work/otherkey.crt" 2>/dev/null
# the unit's key, from a CA the unit does not pin
openssl x509 -req -in "$unit/kiosk.csr.pem" -CA "$ppki/other-ca.crt.pem" -CAkey "$ppki/other-ca.key.pem" \
	-CAcreateserial -CAserial "$work/other.srl" -days 30 -sha256 -extfile "$ext" -out "$work/otherca.crt" 2>/dev/null
# the unit's key, expired (openssl ca takes explicit dates)
openssl ca -batch -config "$ppki/kiosk-ca.cnf" -in "$unit/kiosk.csr.pem" -out "$work/expired.crt" \
	-startdate 20200101000000Z -enddate 20210101000000Z -notext >/dev/null 2>&1

# the unit's key and the kiosk CA, but a server certificate
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' > "$work/srv.cnf"
openssl x509 -req -in "$unit/kiosk.csr.pem" -CA "$ppki/kiosk-ca.crt.pem" -CAkey "$ppki/kiosk-ca.key.pem" \
	-CAserial "$work/ca.srl" -days 30 -sha256 -extfile "$work/srv.cnf" -out "$work/server.crt" 2>/dev/null

run provision install-cert --dir "$unit" "$work/server.crt" --ca "$ppki/kiosk-ca.crt.pem"
check "server cert: exit 5" [ "$code" -eq 5 ]
check "server cert: says so" says "not a TLS client certificate"
run provision install-cert --dir "$unit" "$work/otherkey.crt" --ca "$ppki/kiosk-ca.crt.pem"
check "cert for another key: exit 5" [ "$code" -eq 5 ]
check "cert for another key: says so" says "certificate is for another key"
run provision install-cert --dir "$unit" "$work/expired.crt" --ca "$ppki/kiosk-ca.crt.pem"
check "expired cert: exit 5" [ "$code" -eq 5 ]
check "expired cert: says expired" says "expired"
run provision install-cert --dir "$unit" "$work/otherca.crt" --ca "$ppki/kiosk-ca.crt.pem"
check "other CA: exit 5" [ "$code" -eq 5 ]
check "other CA: says so" says "not issued by the kiosk CA"
check "nothing installed after refusals" [ ! -e "$unit/kiosk.crt.pem" ]
run provision install-cert --dir "$unit" "$work/good.crt" --ca "$ppki/kiosk-ca.crt.pem"
check "good cert: exit 0" [ "$code" -eq 0 ]
check "good cert: installed, same certificate" [ "$(openssl x509 -in "$unit/kiosk.crt.pem" -outform DER | sha256sum)" = "$(openssl x509 -in "$work/good.crt" -outform DER | sha256sum)" ]
check "good cert: no temp file left" [ -z "$(find "$unit" -name '*.tmp-*')" ]

# --- anchor bundle -----------------------------------------------------------
card_ca=$(ls "$tpki"/anchors/*.pem | head -n1)
build_bundle() { # build_bundle OUT SIGNER
	"$kioskctl" provision bundle build --key "$ppki/$2.key.pem" --cert "$ppki/$2.crt.pem" -o "$1" \
		"$cpki/center-ca.crt.pem" "$cpki/shc-jwks.json" "$cpki/csca.crt.pem" "$card_ca"
}
build_bundle "$work/good.bundle" bundle-signer
check "bundle build: made" [ -s "$work/good.bundle" ]
root=$ppki/bundle-root.crt.pem

# tampered bundles on a fresh unit folder: refused, nothing created
fresh=$work/fresh
mkdir -p "$fresh"
tamper_case() { # tamper_case NAME FILE EXPECTED-MESSAGE
	run provision install-anchors --dir "$fresh" "$2" --bundle-root "$root"
	check "$1: exit 5" [ "$code" -eq 5 ]
	check "$1: says '$3'" says "$3"
	check "$1: nothing installed" [ -z "$(ls -A "$fresh")" ]
}
cp "$work/good.bundle" "$work/t1"
off=$(offset_of "$work/t1" 'S file:shc-jwks.json ')
flip "$work/t1" $((off + 40))
tamper_case "flipped byte in a file" "$work/t1" "does not match its manifest hash"
cp "$work/good.bundle" "$work/t2"
off=$(offset_of "$work/t2" 'file csca.crt.pem ')
flip "$work/t2" $((off + 30))
tamper_case "flipped byte in the manifest" "$work/t2" "signature does not verify"
cp "$work/good.bundle" "$work/t3"
off=$(offset_of "$work/t3" 'S signature ')
flip "$work/t3" $((off + 20))
tamper_case "flipped byte in the signature" "$work/t3" "signature does not verify"
head -c 500 "$work/good.bundle" > "$work/t4"
tamper_case "truncated" "$work/t4" "not an anchor bundle"
build_bundle "$work/rogue.bundle" rogue-signer
tamper_case "unknown signer" "$work/rogue.bundle" "does not chain to the pinned bundle root"

# a properly signed bundle whose manifest names ../ : refused by the unit itself
craft=$work/craft
mkdir -p "$craft"
printf 'x\n' > "$craft/evil"
{
	printf 'kiosk-anchor-bundle 1\n'
	printf 'file ../evil.pem %s %s\n' "$(stat -c %s "$craft/evil")" "$(sha256sum "$craft/evil" | cut -d' ' -f1)"
} > "$craft/manifest"
openssl dgst -sha256 -sign "$ppki/bundle-signer.key.pem" -out "$craft/sig" "$craft/manifest"
section() { printf 'S %s %s\n' "$1" "$(stat -c %s "$2")"; cat "$2"; printf '\n'; }
{
	printf 'KIOSK-ANCHOR-BUNDLE 1\n'
	section manifest "$craft/manifest"
	section file:../evil.pem "$craft/evil"
	section signer "$ppki/bundle-signer.crt.pem"
	section signature "$craft/sig"
	printf 'END\n'
} > "$work/t5"
tamper_case "path traversal in a name" "$work/t5" "file name not allowed"
check "path traversal: nothing outside" [ ! -e "$work/evil.pem" ]

# the good one
run provision install-anchors --dir "$unit" "$work/good.bundle" --bundle-root "$root"
check "install-anchors: exit 0" [ "$code" -eq 0 ]
check "install-anchors: center CA as given" cmp -s "$unit/anchors/center-ca.crt.pem" "$cpki/center-ca.crt.pem"
check "install-anchors: card CA key" cmp -s "$unit/anchors/card-ca/$(basename "$card_ca")" "$card_ca"
check "install-anchors: JWKS and CSCA" bash -c "cmp -s '$unit/anchors/shc-jwks.json' '$cpki/shc-jwks.json' && cmp -s '$unit/anchors/csca.crt.pem' '$cpki/csca.crt.pem'"
before=$(tree_sum "$unit/anchors")
run provision install-anchors --dir "$unit" "$work/t1" --bundle-root "$root"
check "tampered over installed: refused" [ "$code" -eq 5 ]
check "tampered over installed: anchors unchanged" [ "$(tree_sum "$unit/anchors")" = "$before" ]
run provision install-anchors --dir "$unit" "$work/good.bundle" --bundle-root "$root"
check "reinstall: exit 0" [ "$code" -eq 0 ]
check "reinstall: same anchors" [ "$(tree_sum "$unit/anchors")" = "$before" ]
check "reinstall: no staging folder left" [ -z "$(find "$unit" -maxdepth 1 -name '.anchors.*')" ]

# --- status ----------------------------------------------------------------
run provision status --dir "$unit" --json
check "status: exit 0" [ "$code" -eq 0 ]
check "status: key mode" [ "$(jq -r .key.mode "$work/out")" = 0600 ]
check "status: cert matches key" [ "$(jq -r .certificate.matches_key "$work/out")" = true ]
check "status: cert subject" bash -c "jq -r .certificate.subject '$work/out' | grep -q KIOSK-TEST-0042"
check "status: cert fingerprint" [ "$(jq -r .certificate.sha256 "$work/out")" = "$(openssl x509 -in "$work/good.crt" -outform DER | sha256sum | cut -d' ' -f1)" ]
check "status: four anchors" [ "$(jq '.anchors | length' "$work/out")" -eq 4 ]
run provision status --dir "$unit"
cat "$work/out" > "$work/status.txt"
"$kioskctl" provision status --dir "$unit" --json >> "$work/status.txt"
leak=0
while read -r line; do
	case "$line" in -----*) continue ;; esac
	if grep -qF -- "$line" "$work/status.txt"; then leak=1; fi
done < "$unit/kiosk.key.pem"
check "status: no key material in the output" [ "$leak" -eq 0 ]
check "status: table shows the mode" grep -q "mode 0600" "$work/status.txt"

echo "kioskctl provision: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
