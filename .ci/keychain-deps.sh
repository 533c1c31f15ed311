#!/usr/bin/env bash
# Installs what the keychain backend tests (host/tests/it/keychain_backends.rs,
# examples/keychain tests) need on Debian: a D-Bus session bus, the GNOME
# Secret Service daemon, the kernel keyring tools and secret-tool.
# Idempotent: does nothing when everything is already installed.
set -euo pipefail

packages=(
  dbus-daemon      # dbus-daemon and dbus-run-session: a private session bus per test
  gnome-keyring    # gnome-keyring-daemon: the Secret Service implementation
  keyutils         # keyctl: `keyctl session` gives the test a session keyring
  libsecret-tools  # secret-tool: stores items the way users do
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  sudo=sudo
else
  sudo=
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
