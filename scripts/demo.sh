#!/usr/bin/env bash
# The main job on the embedded defaults: create a demo operator, seal the bundled sample files
# into an evidence package, and verify it (trusting the demo operator's key explicitly).
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
$W seal samples/* --out "$out/demo.wacz" --case DEMO-0001 --note "bundled sample files"
echo
$W verify "$out/demo.wacz" --trust-operator "$($W operator show --fingerprint)"
echo
echo "Package: $out/demo.wacz  (unzip it and follow docs/evidence-package.md to check it by hand)"
