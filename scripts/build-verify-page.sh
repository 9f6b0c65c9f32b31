#!/usr/bin/env bash
# Builds the verifier page: webproof-verify compiled to WebAssembly (crates/verify-web) and
# put, with its wasm-bindgen glue, into one self-contained HTML file that makes no network
# request (docs/verify-page.md). Needs what scripts/install-deps.sh installs (the
# wasm32-unknown-unknown target, wasm-bindgen-cli of the locked version).
#
#   bash scripts/build-verify-page.sh [OUT]     # default target/verify-page/verify.html
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/verify-page/verify.html}
work=target/verify-page/bindgen
cargo build --quiet -p webproof-verify-web --lib --release --target wasm32-unknown-unknown
mkdir -p "$work" "$(dirname "$out")"
wasm-bindgen --target no-modules --no-typescript --out-dir "$work" \
  target/wasm32-unknown-unknown/release/webproof_verify_web.wasm
python3 - "$work/webproof_verify_web.js" "$work/webproof_verify_web_bg.wasm" \
  crates/verify-web/page/verify.html "$out" <<'PY'
import base64, sys
glue, wasm, template, out = sys.argv[1:]
page = open(template, encoding="utf-8").read()
glue_js = open(glue, encoding="utf-8").read()
# The glue sits in a text/plain script element: it must not close it.
assert "</script" not in glue_js.lower()
for mark in ("/*WASM_BINDGEN_GLUE*/", "/*WASM_BASE64*/"):
    assert page.count(mark) == 1, mark
page = page.replace("/*WASM_BINDGEN_GLUE*/", glue_js)
page = page.replace("/*WASM_BASE64*/", base64.b64encode(open(wasm, "rb").read()).decode())
open(out + ".tmp", "w", encoding="utf-8").write(page)
PY
mv "$out.tmp" "$out"
echo "$out ($(du -k "$out" | cut -f1) KiB)"
