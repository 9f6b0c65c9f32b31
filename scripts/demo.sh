#!/usr/bin/env bash
# The main job on the embedded defaults:
#  1. create a demo operator identity;
#  2. serve the bundled demo site on 127.0.0.1 and capture its gallery with webproof's own
#     Chromium in a private Xvfb display: environment check, navigation, infinite scroll, every
#     image downloaded, screenshots, DOM snapshot, network archive (WARC), screen recording;
#  3. seal the bundled sample files (a file deposit);
#  all on `webproof dev up`: two development TSAs, an evidence log and three witnesses (a
#  court, a notary office, a CA) in one local process, written into config.toml — so every
#  chain head is time-stamped by two TSAs and deposited in the log, and each package carries a
#  receipt cosigned by all three witnesses (no internet needed; none of it is a trusted
#  authority);
#  `dev up` also runs the log's registration authority and enrolls the demo operator (its
#  operator CA certifies the operator's key);
#  4. verify both packages offline, trusting — through the configuration `dev up` wrote — the
#     development TSAs, log, witnesses and operator CA; then look the capture's chain head up
#     in the log.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cargo build --release --quiet --bin webproof
# The verifier page `dev up` serves at /verify (docs/verify-page.md).
bash scripts/build-verify-page.sh
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
# The local alliance: TSAs, evidence log, witnesses; it writes $WEBPROOF_HOME/config.toml.
$W dev up > "$out/dev-up.log" &
pids+=($!)
for _ in $(seq 300); do grep -qx ready "$out/dev-up.log" 2>/dev/null && break; sleep 0.1; done
grep -qx ready "$out/dev-up.log" || { cat "$out/dev-up.log"; echo "webproof dev up did not start" >&2; exit 1; }
sed -n '1,/^ready$/p' "$out/dev-up.log" | grep -v '^ready$'
wait_port "$port"

echo; echo "== sealing the sample files"
$W seal samples/* --out "$out/demo-files.wacz" --case DEMO-0001 --note "bundled sample files"
# The capture's step 0 records the log's latest witnessed checkpoint (now the one above):
# the session provably began after it existed.
echo; echo "== capturing http://127.0.0.1:$port/gallery.html"
$W capture "http://127.0.0.1:$port/gallery.html" --profile gallery --case DEMO-0001 \
  --segment-secs 10 --report-pdf --out "$out/demo-capture.wacz"

for p in "$out/demo-capture.wacz" "$out/demo-files.wacz"; do
  echo; echo "== verifying $p (offline)"
  # The operator is identified by the certificate the log's operator CA issued at enrollment.
  $W verify "$p" \
    | grep -E 'identity\.operator|timestamp\.coverage|receipt\.(coverage|not_before)|^(VERIFIED|INTACT|FAILED|验证通过|完整|验证失败)'
done
echo; echo "== looking the capture's chain head up in the evidence log"
head=$(python3 -c 'import json, sys, zipfile
m = json.loads(zipfile.ZipFile(sys.argv[1]).read("evidence/manifest.json"))
print(m["journal"]["head"]["sha256"])' "$out/demo-capture.wacz")
$W log lookup "$head"
echo
echo; echo "== was this exact file deposited? (by its digests: the capture and step that recorded it)"
$W log lookup --file samples/contract.txt
echo
echo; echo "== the verification report of the capture, beside it (verdict under this machine's trust)"
$W report "$out/demo-capture.wacz" --pdf "$out/demo-capture.report.pdf"
echo
echo "Packages: $out/demo-capture.wacz, $out/demo-files.wacz"
echo "Each carries its capture report, sealed with it (report/report.html; the capture also report/report.pdf):"
echo "  unzip -p $out/demo-capture.wacz report/report.pdf > $out/demo-capture-report.pdf"
echo "The verification report with the verdict: $out/demo-capture.report.html and .pdf"
echo "(unzip one and follow docs/evidence-package.md to check it by hand)"
