#!/usr/bin/env bash
# Installs what the SAML ECP tests (host/tests/it/ecp_e2e.rs,
# host/tests/it/conformance_ecp.rs) need on Debian: SimpleSAMLphp as a real
# ECP identity provider and the PHP command-line interpreter whose built-in
# web server (`php -S`) the tests start on loopback. No system web server
# is enabled: the `httpd` the package insists on is satisfied by mini-httpd,
# whose init script is disabled by default, and PHP's SAPI by php-cgi (no
# daemon). Idempotent: does nothing when everything is already installed.
set -euo pipefail

packages=(
  php8.2-cgi     # satisfies the `php` metapackage without apache or php-fpm
  mini-httpd     # satisfies simplesamlphp's `httpd` dependency; never started
  php-cli        # `php -S 127.0.0.1:PORT`: the tests' web server
  php-xml        # DOM/XMLWriter: SimpleSAMLphp builds and signs SAML with it
  php-mbstring   # used by SimpleSAMLphp's templates and xmlseclibs
  php-curl       # SimpleSAMLphp's HTTP helper (loaded at start-up)
  simplesamlphp  # the IdP itself (1.19.x in bookworm)
  openssl        # the tests generate the IdP's signing certificate with it
)

# shellcheck source=.ci/apt.sh
. "$(dirname "$0")/apt.sh"
# No package script may start a service (mini-httpd, php-fpm if a later
# Debian pulls it in): the tests start their own server.
apt_no_services=1
apt_install "${packages[@]}"
