#!/bin/sh
# SPDX-License-Identifier: MIT
#
# ippeveprinter's print command inside the printer rig: runs once per job with
# the spooled document as $1. It copies the document into the rig's private
# $PRINTER_RIG_RECEIVED (so the test can compare it with what it sent), then
# simulates the fault named in $PRINTER_RIG_DIR/fault, using ippeveprinter's
# command protocol on stderr ("STATE: +reason" / "STATE: -reason"):
#   (empty)      the job completes, every simulated reason is cleared;
#   media-empty, media-jam, toner-empty
#                the reason is set as "<reason>-error" and the job aborts;
#   door-open    ippeveprinter knows no "door-open" keyword: "cover-open-error";
#   offline      nor "offline": "paused" (the printer stopped by its operator);
#   hold         the job stays "processing" until the fault file changes
#                (for the client's job timeout).
set -u
reasons="media-empty-error,media-jam-error,cover-open-error,toner-empty-error,paused"
doc="${1:-}"
fault=$(cat "$PRINTER_RIG_DIR/fault" 2>/dev/null)

if [ -n "$doc" ] && [ -f "$doc" ]; then
	n=$(find "$PRINTER_RIG_RECEIVED" -type f | wc -l)
	cp "$doc" "$PRINTER_RIG_RECEIVED/job-$((n + 1)).pdf"
fi

case "$fault" in
"")
	echo "STATE: -$reasons" >&2
	exit 0
	;;
hold)
	# Bounded: 120 s at most, then the job completes.
	n=0
	while [ "$(cat "$PRINTER_RIG_DIR/fault" 2>/dev/null)" = hold ] && [ $n -lt 1200 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	exit 0
	;;
offline)
	echo "STATE: +paused" >&2
	echo "ERROR: printer offline" >&2
	exit 1
	;;
door-open)
	echo "STATE: +cover-open-error" >&2
	echo "ERROR: cover open" >&2
	exit 1
	;;
*)
	echo "STATE: +$fault-error" >&2
	echo "ERROR: $fault" >&2
	exit 1
	;;
esac
