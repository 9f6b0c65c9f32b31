#!/usr/bin/env bash
# Installs what webproof and its tests need on Debian 12 (run as root, or with sudo present).
# Rust itself must already be there (rustup; Debian's own cargo is too old): this checks it.
set -euo pipefail

need_apt=()
for cmd_pkg in "openssl:openssl" "pkg-config:pkg-config" "cc:build-essential" "python3:python3" "unzip:unzip" \
               "chromium:chromium" "chromedriver:chromium-driver" "Xvfb:xvfb" "ffprobe:ffmpeg" \
               "xhost:x11-xserver-utils" "xdpyinfo:x11-utils" \
               "xdotool:xdotool" "dnsmasq:dnsmasq-base" "pdftotext:poppler-utils" "zbarimg:zbar-tools" \
               "faketime:faketime" "x86_64-w64-mingw32-gcc:mingw-w64" "wine:wine" \
               "systemd-analyze:systemd"; do
  cmd=${cmd_pkg%%:*}; pkg=${cmd_pkg#*:}
  command -v "$cmd" >/dev/null 2>&1 || need_apt+=("$pkg")
done
python3 -m pip --version >/dev/null 2>&1 || need_apt+=(python3-pip)
# wine's 64-bit loader (webproof.exe is 64-bit; not on PATH, so asked of dpkg).
dpkg -s wine64 >/dev/null 2>&1 || need_apt+=(wine64)
# Libraries the screen recorder links (ffmpeg-next) and bindgen needs to build against them.
for pc_pkg in "libavcodec:libavcodec-dev" "libavformat:libavformat-dev" "libavutil:libavutil-dev" \
              "libavdevice:libavdevice-dev" "libavfilter:libavfilter-dev" "libswscale:libswscale-dev" \
              "libswresample:libswresample-dev" "openssl:libssl-dev"; do
  pc=${pc_pkg%%:*}; pkg=${pc_pkg#*:}
  pkg-config --exists "$pc" 2>/dev/null || need_apt+=("$pkg")
done
# bindgen needs libclang itself (libclang-NN.so), not libclang-cpp which other packages pull in.
ls /usr/lib/llvm-*/lib/libclang.so /usr/lib/*-linux-gnu/libclang-[0-9]*.so* >/dev/null 2>&1 \
  || need_apt+=(clang libclang-dev)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
# The desktop app (Tauri 2 on WebKitGTK), and WebKitWebDriver for its end-to-end test.
for pc_pkg in "webkit2gtk-4.1:libwebkit2gtk-4.1-dev" "gtk+-3.0:libgtk-3-dev" "librsvg-2.0:librsvg2-dev" \
              "ayatana-appindicator3-0.1:libayatana-appindicator3-dev"; do
  pc=${pc_pkg%%:*}; pkg=${pc_pkg#*:}
  pkg-config --exists "$pc" 2>/dev/null || need_apt+=("$pkg")
done
[ -e /usr/include/xdo.h ] || need_apt+=(libxdo-dev)
command -v file >/dev/null 2>&1 || need_apt+=(file)
command -v WebKitWebDriver >/dev/null 2>&1 || need_apt+=(webkit2gtk-driver)
# The app plays the package's screen recording (MP4, H.264) through WebKitGTK's GStreamer.
for pkg in gstreamer1.0-plugins-good gstreamer1.0-libav; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
# PostgreSQL's server programs: the log's tests start their own throwaway database with them.
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
# Time-zone data: reports show times in the operator's zone beside UTC.
[ -e /usr/share/zoneinfo/Asia/Shanghai ] || need_apt+=(tzdata)
# CJK fonts, so that Chromium draws Chinese pages as they are (not as empty boxes).
{ command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh family 2>/dev/null | grep -q "Noto Sans CJK"; } \
  || need_apt+=(fonts-noto-cjk fontconfig)
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"
fi

# The WACZ validator (webrecorder's py-wacz), an independent check of the package format.
if ! command -v wacz >/dev/null 2>&1; then
  python3 -m pip install --quiet wacz 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages wacz
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo not found: install Rust >= 1.90 with rustup (https://rustup.rs), then re-run." >&2
  exit 1
fi

# The app's front end (ui/) builds with Vite 7, which needs Node.js >= 20.19.
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' 2>/dev/null; then
  echo "Node.js >= 20.19 with npm is needed to build the desktop app's front end (ui/); found: $(node --version 2>/dev/null || echo none)." >&2
  exit 1
fi

# tauri-driver: the WebDriver bridge the app's end-to-end test drives the window through.
if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  cargo install --quiet --locked tauri-driver --version "^2"
fi

# The verifier page (crates/verify-web): the verifier compiled to WebAssembly, and the
# wasm-bindgen command of the very version the crate links (the two must match; not --locked:
# its lock file names a webpki-roots release the registry no longer serves).
rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown \
  || rustup target add wasm32-unknown-unknown
wbg=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3 }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2)" != "$wbg" ]; then
  cargo install --quiet wasm-bindgen-cli --version "=$wbg"
fi

# webproof.exe (scripts/build-windows.sh): Rust's Windows target; mingw-w64 links it and wine
# runs it in the tests (both from the apt list above).
rustup target list --installed 2>/dev/null | grep -qx x86_64-pc-windows-gnu \
  || rustup target add x86_64-pc-windows-gnu

# The front end, built into ui/dist (the app binary embeds it). `npm install` with the
# committed lock file installs the locked versions; not `npm ci`, which insists on lock entries
# for every platform's optional packages (rollup's), which registry mirrors may not serve.
( cd ui && npm install --no-fund --no-audit --loglevel=error && npm run --silent build )
