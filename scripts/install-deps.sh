#!/usr/bin/env bash
# Installs what webproof and its tests need on Debian 12 (run as root, or with sudo present).
# Rust itself must already be there (rustup; Debian's own cargo is too old): this checks it.
set -euo pipefail

need_apt=()
for cmd_pkg in "openssl:openssl" "pkg-config:pkg-config" "cc:build-essential" "python3:python3" "unzip:unzip" \
               "chromium:chromium" "chromedriver:chromium-driver" "Xvfb:xvfb" "ffprobe:ffmpeg" \
               "xdotool:xdotool" "dnsmasq:dnsmasq-base" "pdftotext:poppler-utils" "zbarimg:zbar-tools"; do
  cmd=${cmd_pkg%%:*}; pkg=${cmd_pkg#*:}
  command -v "$cmd" >/dev/null 2>&1 || need_apt+=("$pkg")
done
python3 -m pip --version >/dev/null 2>&1 || need_apt+=(python3-pip)
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
