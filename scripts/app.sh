#!/usr/bin/env bash
# The desktop app from a checkout: installs what is needed, builds the app and the webproof
# engine (release), and opens the window on your desktop (DISPLAY). The app decides where its
# data lives as the installed one does (WEBPROOF_HOME, else an existing ~/.webproof, else
# ~/.local/share/webproof); on a first start its wizard creates the identity and either joins
# an alliance or runs the local development alliance (`webproof dev up`, development TSAs,
# evidence log and witnesses: NOT for court use) for as long as the app runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cargo build --release --quiet --bin webproof --bin webproof-app
if [ -z "${DISPLAY:-}" ]; then
  echo "the app needs a desktop session (DISPLAY)" >&2
  exit 2
fi
WEBPROOF_BIN="$PWD/target/release/webproof" exec target/release/webproof-app
