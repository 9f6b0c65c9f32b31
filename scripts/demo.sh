#!/usr/bin/env bash
# The main job on the embedded defaults:
#  1. create a demo operator identity;
#  2. serve the bundled demo site on 127.0.0.1 and capture its gallery with webproof's own
#     Chromium in a private Xvfb display: environment check, navigation, infinite scroll, every
#     image downloaded, screenshots, DOM snapshot, network archive (WARC), screen recording;
#  3. seal the bundled sample files (a file deposit);
#  every chain head is time-stamped by two local development TSAs (`webproof tsa serve --dev`,
#  each with its own generated CA: no internet needed);
#  4. verify both packages, trusting the demo operator's key and, on purpose, the two
#     development TSA roots.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cargo build --release --quiet --bin webproof
W=target/release/webproof
out=${DEMO_OUT:-target/demo}
rm -rf "$out"; mkdir -p "$out"
export WEBPROOF_HOME="$out/home"
export WEBPROOF_PASSPHRASE=${WEBPROOF_PASSPHRASE:-demo-passphrase-change-me}
$W operator init --name "Demo Operator" --org "webproof demo" --contact demo@example.invalid

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return; sleep 0.1; done; }
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
port=$(free_port)
python3 -m http.server "$port" --bind 127.0.0.1 --directory demo-site >/dev/null 2>&1 &
pids+=($!)
# Two development TSAs, each with its own CA (in its own home).
tsa_args=(); trust_args=()
for n in 1 2; do
  p=$(free_port)
  WEBPROOF_HOME="$out/tsa$n" $W tsa serve --dev --listen "127.0.0.1:$p" >/dev/null &
  pids+=($!)
  wait_port "$p"
  tsa_args+=(--tsa "http://127.0.0.1:$p/"); trust_args+=(--trust-tsa "$out/tsa$n/dev-tsa/root.pem")
done
wait_port "$port"

echo; echo "== capturing http://127.0.0.1:$port/gallery.html"
$W capture "http://127.0.0.1:$port/gallery.html" --profile gallery --case DEMO-0001 \
  --segment-secs 10 "${tsa_args[@]}" --out "$out/demo-capture.wacz"
echo; echo "== sealing the sample files"
$W seal samples/* "${tsa_args[@]}" --out "$out/demo-files.wacz" --case DEMO-0001 --note "bundled sample files"

fpr=$($W operator show --fingerprint)
for p in "$out/demo-capture.wacz" "$out/demo-files.wacz"; do
  echo; echo "== verifying $p"
  # The development TSAs' roots are trusted here on purpose: they are this demo's own.
  $W verify "$p" --trust-operator "$fpr" "${trust_args[@]}" | grep -E 'timestamp\.coverage|^(VERIFIED|INTACT|FAILED)'
done
echo
echo "Packages: $out/demo-capture.wacz, $out/demo-files.wacz"
echo "(unzip one and follow docs/evidence-package.md to check it by hand)"
