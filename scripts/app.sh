#!/usr/bin/env bash
# The desktop app: installs what is needed, builds the app and the webproof engine (release),
# and opens the window on your desktop (DISPLAY). With no configuration of your own in
# WEBPROOF_HOME, it starts the local development alliance (`webproof dev up`: development TSAs,
# evidence log, witnesses; not trusted authorities) for the session, so that a new user can
# create an identity, enroll it (the code `dev up` prints in WEBPROOF_HOME/dev-up.log), open a
# case, capture, seal and verify in the window alone.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cargo build --release --quiet --bin webproof --bin webproof-app
export WEBPROOF_HOME=${WEBPROOF_HOME:-$HOME/.webproof}
mkdir -p "$WEBPROOF_HOME"
if [ -z "${DISPLAY:-}" ]; then
  echo "the app needs a desktop session (DISPLAY)" >&2
  exit 2
fi
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
cfg="$WEBPROOF_HOME/config.toml"
if [ ! -f "$cfg" ] || grep -q "Written by \`webproof dev up\`" "$cfg"; then
  target/release/webproof dev up > "$WEBPROOF_HOME/dev-up.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 300); do grep -qx ready "$WEBPROOF_HOME/dev-up.log" 2>/dev/null && break; sleep 0.1; done
  # The enrollment code line (in the language of the locale) ends in its `--code` command.
  grep -e "--code" "$WEBPROOF_HOME/dev-up.log" || true
fi
WEBPROOF_BIN="$PWD/target/release/webproof" target/release/webproof-app
