#!/usr/bin/env bash
# kioskctl card check against the real pcscd + simulator: the JSON it prints,
# its exit codes, and that nothing personal leaks without --reveal.
# usage: kioskctl_card_check.sh KIOSKCTL RIG PERSONA_DIR
set -euo pipefail
kioskctl=$1 rig=$2 personas=$3

if [ -z "${KIOSK_CARDSIM_CTL:-}" ]; then
	exec "$rig" --timeout 240 -- "$0" "$@"
fi

fails=0 passes=0
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

check() { # check DESCRIPTION CONDITION...
	local what=$1
	shift
	if "$@"; then
		passes=$((passes + 1))
	else
		fails=$((fails + 1))
		echo "FAIL: $what" >&2
		echo "  stdout: $(cat "$out")" >&2
		echo "  stderr: $(cat "$err")" >&2
	fi
}
field() { jq -r "$1" "$out"; }
persona() { jq -r "$2" "$personas/$1.json"; }
load() { "$rig" card load "$personas/$1.json" && "$rig" ctl clear >/dev/null; }
stat() { "$rig" ctl stats | tr ' ' '\n' | sed -n "s/^$1=//p"; }
run() { # run STDIN ARGS... ; sets $code
	set +e
	printf '%s' "$1" | "$kioskctl" card check --board sim "${@:2}" >"$out" 2>"$err"
	code=$?
	set -e
}
no_leak() { # nothing of the persona in stdout or stderr
	local p=$1 v
	for v in "$(persona "$p" .my_number)" "$(persona "$p" .name)" "$(persona "$p" .address)"; do
		if grep -qF -- "$v" "$out" "$err"; then
			return 1
		fi
	done
}

# 1. the happy path: one JSON object, every field, no personal data
load standard
run "$(persona standard .pin)" --pin-stdin
check "happy: exit 0" [ "$code" -eq 0 ]
check "happy: one JSON object" [ "$(jq -s length "$out")" -eq 1 ]
check "happy: pin ok" [ "$(field .pin)" = ok ]
check "happy: chain ok" [ "$(field .chain)" = ok ]
check "happy: presence ok" [ "$(field .presence)" = ok ]
check "happy: ap_found" [ "$(field .ap_found)" = true ]
check "happy: tries_before" [ "$(field .tries_before)" = "$(persona standard .tries_left)" ]
check "happy: reader" [ "$(field .reader)" != "" ]
check "happy: atr hex" bash -c "[[ '$(field .atr)' =~ ^3B[0-9A-F]+$ ]]"
check "happy: apdus within budget" [ "$(field .apdus)" -le 9 ]
check "happy: extended_length reported" [ "$(field .extended_length)" = true ]
check "happy: sfi reported" [ "$(field .sfi)" = true ]
check "happy: no my_number key" [ "$(field 'has("my_number") or has("name")')" = false ]
check "happy: nothing personal printed" no_leak standard
check "happy: exactly one VERIFY" [ "$(stat verify)" -eq 1 ]

# 2. --reveal (QA only)
load standard
run "$(persona standard .pin)" --pin-stdin --reveal
check "reveal: exit 0" [ "$code" -eq 0 ]
check "reveal: my_number" [ "$(field .my_number)" = "$(persona standard .my_number)" ]
check "reveal: name" [ "$(field .name)" = "$(persona standard .name)" ]
check "reveal: address" [ "$(field .address)" = "$(persona standard .address)" ]
check "reveal: birth_date" [ "$(field .birth_date)" = "$(persona standard .birth_date)" ]
check "reveal: sex" [ "$(field .sex)" = "$(persona standard .sex)" ]

# 3. no PIN: stops before VERIFY
load standard
run "" 
check "no pin: exit 3" [ "$code" -eq 3 ]
check "no pin: skipped" [ "$(field .pin)" = skipped ]
check "no pin: tries_before" [ "$(field .tries_before)" = 3 ]
check "no pin: chain not run" [ "$(field .chain)" = not_run ]
check "no pin: no VERIFY" [ "$(stat verify)" -eq 0 ]

# 4. wrong PIN: one try, one VERIFY
load standard
wrong=$(printf '%04d' $(( (10#$(persona standard .pin) + 1) % 10000 )))
run "$wrong" --pin-stdin
check "wrong: exit 4" [ "$code" -eq 4 ]
check "wrong: pin wrong" [ "$(field .pin)" = wrong ]
check "wrong: tries_after" [ "$(field .tries_after)" = 2 ]
check "wrong: error" [ "$(field .error)" = PIN_INCORRECT ]
check "wrong: message in Japanese" [ -n "$(field .message_ja)" ]
check "wrong: message in English" [ -n "$(field .message_en)" ]
check "wrong: exactly one VERIFY" [ "$(stat verify)" -eq 1 ]

# 5. malformed PIN: never reaches the card
load standard
run "12a4" --pin-stdin
check "malformed: exit 4" [ "$code" -eq 4 ]
check "malformed: pin malformed" [ "$(field .pin)" = malformed ]
check "malformed: no VERIFY" [ "$(stat verify)" -eq 0 ]

# 6. blocked card: reported, not probed
load blocked
run "$(persona blocked .pin)" --pin-stdin
check "blocked: exit 4" [ "$code" -eq 4 ]
check "blocked: pin blocked" [ "$(field .pin)" = blocked ]
check "blocked: no VERIFY" [ "$(stat verify)" -eq 0 ]

# 7. tampered integrity record: the failing step is named
load standard
"$rig" ctl fault tamper record >/dev/null
run "$(persona standard .pin)" --pin-stdin --reveal
check "tampered: exit 5" [ "$code" -eq 5 ]
check "tampered: chain record" [ "$(field .chain)" = record ]
check "tampered: nothing revealed" [ "$(field 'has("my_number")')" = false ]

# 8. not a My Number card
load standard
"$rig" ctl fault not_mynumber 1 >/dev/null
run "1234" --pin-stdin
check "not mynumber: exit 6" [ "$code" -eq 6 ]
check "not mynumber: ap_found false" [ "$(field .ap_found)" = false ]
check "not mynumber: error" [ "$(field .error)" = NOT_MYNUMBER_CARD ]

# 9. production boards: no --reveal, no test anchors, no start without anchors
load standard
run "" --board pcsc-generic --reveal
check "production: --reveal refused" [ "$code" -eq 2 ]
run "" --board pcsc-generic --anchors "$KIOSK_TEST_PKI/anchors"
check "production: test anchors refused" [ "$code" -eq 2 ]
run "" --board pcsc-generic --anchors /nonexistent
check "production: missing anchors refused" [ "$code" -eq 2 ]
check "production: says why" grep -q "anchors" "$err"

echo "kioskctl card check: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
