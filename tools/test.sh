#!/usr/bin/env bash
# Every test, on a fresh Debian 12 machine as root: installs what is missing,
# builds, then runs the whole suite twice (plain, and under ASan + UBSan),
# a libFuzzer smoke run of each fuzz target, and the card-read benchmark.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

"$root/tools/scripts/deps.sh"
jobs=$(nproc)

echo "== build (plain)"
tools/scripts/build.sh build
echo "== tests (plain)"
ctest --test-dir build --output-on-failure -j"$jobs" | tee build/ctest.log

echo "== build (ASan + UBSan)"
tools/scripts/build.sh build-asan -DKIOSK_SANITIZE=ON
echo "== tests (ASan + UBSan)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --test-dir build-asan --output-on-failure -j"$jobs" | tee build-asan/ctest.log

echo "== fuzz smoke (clang, libFuzzer)"
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKIOSK_FUZZ=ON >/dev/null
cmake --build build-fuzz -j"$jobs" --target fuzz_all
ctest --test-dir build-fuzz --output-on-failure -L fuzz -j"$jobs" | tee build-fuzz/ctest.log

echo "== benchmark: reading a simulated card through the real pcscd"
build/tools/rig/rig -- build/tests/bench/card_read_bench "${KIOSK_BENCH_READS:-50}"
echo "== benchmark: mutual-TLS handshakes of the center client (openssl s_server on loopback)"
build/tests/bench/center_tls_bench "${KIOSK_BENCH_HANDSHAKES:-100}"
echo "== benchmark: the certificate step on loopback (card through pcscd, center over mutual TLS)"
build/tools/rig/rig --center -- build/tests/bench/certificate_bench "${KIOSK_BENCH_ISSUANCES:-30}" 2>&1 |
	grep -v '^kiosk-center:'
echo "== benchmark: rendering the certificate page and its QR codes"
build/tests/bench/render_bench "${KIOSK_BENCH_RENDERS:-10}"
echo "== benchmark: the reference center under 50 concurrent kiosks"
KIOSK_TEST_PKI=$root/build/test-pki KIOSK_CENTER_PKI=$root/build/center-pki \
	KIOSK_PERSONAS=$root/tools/cardsim/personas build/tests/integration/refcenter_load 50 10 2>&1 |
	tail -1

echo "== benchmark: the kiosk program end to end (issuance timing, peak RSS, boot to ready, soak)"
build/tests/bench/kiosk_bench --ipp --boot 5 --soak "${KIOSK_BENCH_KIOSK_SOAK:-50}" "${KIOSK_BENCH_KIOSK:-30}"

echo "== benchmark: installing a signed 64 MiB firmware image into a file slot"
build/tests/bench/image_install_bench 64 3

echo "== summary"
total=0
for log in build/ctest.log build-asan/ctest.log build-fuzz/ctest.log; do
	n=$(sed -n 's/.*tests passed, 0 tests failed out of \([0-9]*\).*/\1/p' "$log")
	total=$((total + ${n:-0}))
done
echo "all suites: $total passed, 0 failed"
