#!/usr/bin/env bash
# kioskctl center municipalities / certificate fetch against the real stack:
# pcscd + vpcd + card simulator + the reference center over mutual TLS.
# usage: kioskctl_certificate_fetch.sh KIOSKCTL RIG PERSONA_DIR
set -euo pipefail
kioskctl=$1 rig=$2 personas=$3

fails=0 passes=0
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

check() {
	local what=$1
	shift
	if "$@"; then
		passes=$((passes + 1))
	else
		fails=$((fails + 1))
		echo "FAIL: $what" >&2
		echo "  stdout: $(head -c 600 "$out")" >&2
		echo "  stderr: $(head -c 600 "$err")" >&2
	fi
}
field() { jq -r "$1" "$out"; }
persona() { jq -r "$2" "$personas/$1.json"; }

# fetch "RIG OPTIONS" PERSONA PIN KIOSKCTL-ARGS...: one fetch in a fresh environment
fetch() {
	local rigopts=$1 who=$2 pin=$3
	shift 3
	set +e
	# shellcheck disable=SC2086
	"$rig" --timeout 120 --persona "$who" $rigopts -- sh -c \
		'k=$1; shift; printf "%s\n" "$0" | "$k" certificate fetch --pin-stdin --url "$KIOSK_CENTER_URL" "$@"' \
		"$pin" "$kioskctl" "$@" >"$out" 2>"$err"
	code=$?
	set -e
}
no_leak() {
	local p=$1 v
	for v in "$(persona "$p" .my_number)" "$(persona "$p" .name)" "$(persona "$p" .address)"; do
		if grep -qF -- "$v" "$out" "$err"; then
			return 1
		fi
	done
}

# the municipality list, as a technician checks a unit's connection
set +e
"$rig" --center -- sh -c '"$0" center municipalities --url "$KIOSK_CENTER_URL"' "$kioskctl" \
	>"$out" 2>"$err"
code=$?
set -e
check "municipalities: exit 0" [ "$code" -eq 0 ]
check "municipalities: participating listed" [ "$(field '[.municipalities[].code] | sort | join(",")')" = "131016,271004" ]
check "municipalities: names in Japanese" [ "$(field '.municipalities[] | select(.code=="131016") | .name_ja')" = "千代田区" ]

# domestic, the standard resident in Chiyoda
fetch "--center" standard "$(persona standard .pin)" --municipality 131016 --type domestic
check "domestic: exit 0" [ "$code" -eq 0 ]
check "domestic: issued" [ "$(field .status)" = issued ]
check "domestic: holder matches" [ "$(field .holder_match)" = true ]
check "domestic: doses" [ "$(field .doses)" -eq 3 ]
check "domestic: certificate id" [ -n "$(field .certificate_id)" ]
check "domestic: QR text" bash -c "[[ '$(field .shc_qr_text)' =~ ^shc:/[0-9]+$ ]]"
check "domestic: no seal" [ "$(field 'has("vdsnc")')" = false ]
check "domestic: nothing personal" no_leak standard
check "domestic: no names without --reveal" [ "$(field 'has("family")')" = false ]

# the same resident's records in Osaka are Osaka's alone
fetch "--center" standard "$(persona standard .pin)" --municipality 271004 --type domestic --reveal
check "osaka: exit 0" [ "$code" -eq 0 ]
check "osaka: one dose there" [ "$(field .doses)" -eq 1 ]
check "osaka: reveal birth date" [ "$(field .birth_date)" = "$(persona standard .birth_date)" ]

# overseas: a resident with a passport registration
fetch "--center" no_ext "$(persona no_ext .pin)" --municipality 131016 --type overseas --reveal
check "overseas: exit 0" [ "$code" -eq 0 ]
check "overseas: seal present" bash -c "jq -e '.vdsnc | fromjson | .data.hdr.t == \"icao.vacc\"' '$out' >/dev/null"
check "overseas: passport" [ "$(field .passport)" = TK1234567 ]
check "overseas: nationality" [ "$(field .nationality)" = JPN ]
check "overseas: romaji" [ -n "$(field .romaji_family)" ]

# the preview on the simulated board: certificate.pdf + certificate.png, and the
# QR in the PNG carries exactly the verified SHC text
pv=$(mktemp -d)
fetch "--center" standard "$(persona standard .pin)" --municipality 131016 --type domestic \
	--preview-out "$pv"
check "preview: exit 0" [ "$code" -eq 0 ]
check "preview: printed" [ "$(field .printed)" = true ]
check "preview: pdf" bash -c "head -c 5 '$pv/certificate.pdf' | grep -q '%PDF-'"
check "preview: png decodes to the QR text" \
	[ "$(zbarimg --raw -q "$pv/certificate.png" 2>/dev/null)" = "$(field .shc_qr_text)" ]
check "preview: page text" bash -c "pdftotext '$pv/certificate.pdf' - | grep -q '予防接種証明書'"
check "preview: only the two files" [ "$(ls "$pv" | wc -l)" -eq 2 ]
rm -rf "$pv"

# every persona with records, domestic (and overseas where registered)
for spec in rare_kanji:131016:domestic:5 no_ext:131016:domestic:2 foreign:271004:domestic:3 \
	foreign:271004:overseas:3 no_sfi:271004:domestic:2 long:271004:domestic:1; do
	IFS=: read -r who muni type doses <<<"$spec"
	fetch "--center" "$who" "$(persona "$who" .pin)" --municipality "$muni" --type "$type" --reveal
	check "$who $type: exit 0" [ "$code" -eq 0 ]
	check "$who $type: doses" [ "$(field .doses)" -eq "$doses" ]
	check "$who $type: holder" [ "$(field .holder_match)" = true ]
	check "$who $type: birth date" [ "$(field .birth_date)" = "$(persona "$who" .birth_date)" ]
	if [ "$type" = overseas ]; then
		check "$who overseas: passport" [ "$(field .passport)" = XZ7654321 ]
		check "$who overseas: nationality" [ "$(field .nationality)" = USA ]
		check "$who overseas: seal" [ -n "$(field .vdsnc)" ]
	fi
done
fetch "--center" blocked "$(persona blocked .pin)" --municipality 271004 --type domestic
check "blocked card: exit 4" [ "$code" -eq 4 ]
check "blocked card: pin blocked" [ "$(field .pin)" = blocked ]

# typed refusals from the center
fetch "--center" standard "$(persona standard .pin)" --municipality 131016 --type overseas
check "not registered: exit 7" [ "$code" -eq 7 ]
check "not registered: error" [ "$(field .error)" = CENTER_OVERSEAS_NOT_REGISTERED ]
check "not registered: message" [ -n "$(field .message_ja)" ]
fetch "--center" one_try "$(persona one_try .pin)" --municipality 131016 --type domestic
check "no records: error" [ "$(field .error)" = CENTER_NO_RECORDS ]
fetch "--center" standard "$(persona standard .pin)" --municipality 011002 --type domestic
check "not participating: error" [ "$(field .error)" = CENTER_NOT_PARTICIPATING ]

# every center fault ends in a typed error, nothing shown, no hang
for spec in http_500=on:CENTER_INTERNAL http_503=on:CENTER_BUSY \
	malformed_json=on:CENTER_PROTOCOL oversized_body=on:HTTP_BODY_TOO_LARGE \
	drop=on:CONNECTION_DROPPED; do
	fault=${spec%%:*} want=${spec#*:}
	fetch "--center-fault $fault" standard "$(persona standard .pin)" --municipality 131016 --type domestic
	check "$fault: exit 7" [ "$code" -eq 7 ]
	check "$fault: $want" [ "$(field .error)" = "$want" ]
	check "$fault: nothing shown" [ "$(field 'has("shc_qr_text")')" = false ]
done
# one dropped answer: the retry with the same request id gets the same certificate
fetch "--center-fault drop=1" standard "$(persona standard .pin)" --municipality 131016 --type domestic
check "drop once: retried and issued" [ "$code" -eq 0 ]

# what the kiosk refuses itself
fetch "--center-fault other_person=on" standard "$(persona standard .pin)" --municipality 131016 --type domestic
check "other person: exit 5" [ "$code" -eq 5 ]
check "other person: error" [ "$(field .error)" = CERT_HOLDER_MISMATCH ]
check "other person: nothing shown" [ "$(field 'has("shc_qr_text")')" = false ]
fetch "--center-fault rogue_kid=on" standard "$(persona standard .pin)" --municipality 131016 --type domestic
check "rogue issuer: exit 5" [ "$code" -eq 5 ]
check "rogue issuer: error" [ "$(field .error)" = CERT_UNKNOWN_KEY ]
fetch "--center --fault tamper=record" standard "$(persona standard .pin)" --municipality 131016 --type domestic
check "tampered card: exit 5" [ "$code" -eq 5 ]
check "tampered card: chain record" [ "$(field .chain)" = record ]
fetch "--center" standard "0000" --municipality 131016 --type domestic
check "wrong PIN: exit 4" [ "$code" -eq 4 ]
check "wrong PIN: not issued" [ "$(field .status)" = error ]

echo "kioskctl certificate fetch: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
