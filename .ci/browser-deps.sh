#!/usr/bin/env bash
# Installs what the browser tests (host/browser/tests, the host's browser e2e) drive for
# real on Debian: Chromium, a private X server and xdotool (the "person"
# of the windowed tests). Called by .ci/run next to the other
# deps scripts: under CI=true the tests fail instead of printing SKIPPED
# when these are missing. Idempotent.
set -euo pipefail

packages=(chromium xvfb xdotool)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
