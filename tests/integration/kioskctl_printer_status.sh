#!/usr/bin/env bash
# kioskctl printer status against ippeveprinter (tools/printer-rig) and a dead URI.
# usage: kioskctl_printer_status.sh KIOSKCTL PRINTER_RIG
set -euo pipefail
kioskctl=$1 prig=$2

if [ -z "${PRINTER_RIG_URI:-}" ]; then
	exec "$prig" --timeout 120 -- "$0" "$@"
fi
fails=0 passes=0
check() {
	local what=$1
	shift
	if "$@"; then passes=$((passes + 1)); else fails=$((fails + 1)); echo "FAIL: $what" >&2; fi
}

set +e
out=$("$kioskctl" printer status --uri "$PRINTER_RIG_URI")
code=$?
set -e
check "ready: exit 0" [ "$code" -eq 0 ]
check "ready: reachable" [ "$(jq -r .reachable <<<"$out")" = true ]
check "ready: ready" [ "$(jq -r .ready <<<"$out")" = true ]

# a port nobody listens on (the rig runs in its own network namespace)
set +e
out=$("$kioskctl" printer status --uri "ipp://127.0.0.1:9/ipp/print" 2>/dev/null)
code=$?
set -e
check "unreachable: exit 8" [ "$code" -eq 8 ]
check "unreachable: error" [ "$(jq -r .error <<<"$out")" = PRINTER_UNREACHABLE ]

out=$("$kioskctl" printer status --board sim)
check "sim board: preview" [ "$(jq -r .backend <<<"$out")" = preview ]

echo "kioskctl printer status: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
