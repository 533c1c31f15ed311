#!/usr/bin/env bash
# Installs what the browser tests (host/browser/tests, the host's browser e2e) drive for
# real on Debian: Chromium, a private X server and xdotool (the "person"
# of the windowed tests). Called by .ci/run next to the other
# deps scripts: under CI=true the tests fail instead of printing SKIPPED
# when these are missing. Idempotent.
set -euo pipefail

packages=(chromium xvfb xdotool)

# shellcheck source=.ci/apt.sh
. "$(dirname "$0")/apt.sh"
apt_install "${packages[@]}"
