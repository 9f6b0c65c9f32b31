#!/usr/bin/env bash
# The main job on the embedded defaults:
#  1. create a demo operator identity;
#  2. serve the bundled demo site on 127.0.0.1 and capture its gallery with webproof's own
#     Chromium in a private Xvfb display: environment check, navigation, infinite scroll, every
#     image downloaded, screenshots, DOM snapshot, network archive (WARC), screen recording;
#  3. seal the bundled sample files (a file deposit);
#  4. verify both packages, trusting the demo operator's key explicitly.
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

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory demo-site >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done

echo; echo "== capturing http://127.0.0.1:$port/gallery.html"
$W capture "http://127.0.0.1:$port/gallery.html" --profile gallery --case DEMO-0001 \
  --segment-secs 10 --out "$out/demo-capture.wacz"
echo; echo "== sealing the sample files"
$W seal samples/* --out "$out/demo-files.wacz" --case DEMO-0001 --note "bundled sample files"

fpr=$($W operator show --fingerprint)
for p in "$out/demo-capture.wacz" "$out/demo-files.wacz"; do
  echo; echo "== verifying $p"
  $W verify "$p" --trust-operator "$fpr" | tail -n 4
done
echo
echo "Packages: $out/demo-capture.wacz, $out/demo-files.wacz"
echo "(unzip one and follow docs/evidence-package.md to check it by hand)"
