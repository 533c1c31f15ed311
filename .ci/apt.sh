# Sourced by the .ci/*-deps.sh scripts: `apt_install PACKAGE...` installs
# the Debian packages that are not installed yet (nothing, not even
# `apt-get update`, when all are), without recommends, through sudo unless
# already root. With `apt_no_services=1` set, package scripts may not start
# any service while it runs (a policy-rc.d for the duration): the tests
# start their own servers.

apt_install() {
  local missing=() p
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  local sudo=
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
  export DEBIAN_FRONTEND=noninteractive
  local policy=/usr/sbin/policy-rc.d created_policy=
  if [ "${apt_no_services:-}" = 1 ] && [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod 0755 "$policy"
    created_policy=1
    # Also when the install is interrupted (as ecp-deps.sh did before this
    # helper): a policy-rc.d left behind keeps every later package's
    # service from starting.
    trap "$sudo rm -f $policy" EXIT
  fi
  local rc=0
  { $sudo apt-get update -qq &&
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } || rc=$?
  if [ -n "$created_policy" ]; then
    $sudo rm -f "$policy"
    trap - EXIT
  fi
  return "$rc"
}
