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

# shellcheck source=.ci/apt.sh
. "$(dirname "$0")/apt.sh"
apt_install "${packages[@]}"
