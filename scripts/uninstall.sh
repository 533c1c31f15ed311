#!/usr/bin/env bash
# Remove what scripts/install.sh installed.
#
#   scripts/uninstall.sh                    # from ~/.local (or $PREFIX)
#   ~/.local/lib/awsprocesscreds/uninstall.sh   # the installed copy: its own prefix
#   scripts/uninstall.sh --prefix /opt/apc
#   scripts/uninstall.sh --purge            # also delete cached credentials,
#                                           # IdP sessions and browser profiles
#
# Uses PREFIX/lib/awsprocesscreds/install-manifest.txt when present, else
# the list of files install.sh writes. Plugins you added yourself to
# PREFIX/lib/awsprocesscreds/plugins or ~/.local/share/awsprocesscreds are
# kept. Passwords stored with --use-keyring stay in the OS keychain (service
# "awsprocesscreds"): remove them with your keychain's tool, e.g.
#   secret-tool clear service awsprocesscreds        (Linux Secret Service)
#   security delete-generic-password -s awsprocesscreds   (macOS, per entry)
set -euo pipefail

# Run as PREFIX/lib/awsprocesscreds/uninstall.sh (installed copy): that PREFIX.
here=$(cd "$(dirname "$0")" && pwd)
case $here in
    */lib/awsprocesscreds) PREFIX=${PREFIX:-${here%/lib/awsprocesscreds}} ;;
esac
PREFIX=${PREFIX:-$HOME/.local}
PURGE=0
die() { echo "uninstall.sh: error: $*" >&2; exit 1; }
say() { echo "uninstall.sh: $*" >&2; }

while [ $# -gt 0 ]; do
    case $1 in
        --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; PREFIX=$2; shift 2 ;;
        --prefix=*) PREFIX=${1#--prefix=}; shift ;;
        --purge) PURGE=1; shift ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
done
[ -d "$PREFIX" ] || die "$PREFIX does not exist"

manifest=$PREFIX/lib/awsprocesscreds/install-manifest.txt
if [ -f "$manifest" ]; then
    mapfile -t files < "$manifest"
else
    say "no install manifest in $PREFIX; removing the files install.sh would have written"
    files=(bin/awsprocesscreds bin/awsprocesscreds-saml
           share/man/man1/awsprocesscreds.1
           share/bash-completion/completions/awsprocesscreds
           share/bash-completion/completions/awsprocesscreds-saml
           share/zsh/site-functions/_awsprocesscreds
           share/fish/vendor_completions.d/awsprocesscreds.fish
           lib/awsprocesscreds/uninstall.sh
           lib/awsprocesscreds/plugins/awsprocesscreds-plugin-pystatic)
    for doc in README.md CHANGELOG.md PROTOCOL.md BENCHMARKS.md LICENSE plugin-authors.md; do
        files+=("share/doc/awsprocesscreds/$doc")
    done
    for p in okta adfs ecp entra forms browser static keychain; do
        for ext in so dylib; do files+=("lib/awsprocesscreds/plugins/libawsprocesscreds_plugin_$p.$ext"); done
    done
fi

removed=0
for f in "${files[@]}"; do
    [ -n "$f" ] || continue
    case $f in /*|*..*) say "skipping suspicious manifest entry $f"; continue ;; esac
    if [ -e "$PREFIX/$f" ] || [ -L "$PREFIX/$f" ]; then
        rm -f "$PREFIX/$f"
        removed=$((removed + 1))
    fi
done
# Remove our directories only when empty (your own plugins stay).
rmdir "$PREFIX/lib/awsprocesscreds/plugins" "$PREFIX/lib/awsprocesscreds" \
    "$PREFIX/share/doc/awsprocesscreds" 2>/dev/null || true
say "removed $removed file(s) from $PREFIX"

if [ "$PURGE" = 1 ]; then
    cache=${AWSPROCESSCREDS_CACHE_DIR:-$HOME/.aws/awsprocesscreds/cache}
    if [ -d "$cache" ]; then
        rm -rf "$cache"
        rmdir "$(dirname "$cache")" 2>/dev/null || true
        say "deleted cached credentials and IdP sessions in $cache"
    fi
    # The dedicated browser profiles of sign-ins in a browser (-p browser),
    # and those of snap browsers (Ubuntu's Chromium), which cannot use the
    # hidden data directory and keep theirs in the snap's own folder.
    data=${XDG_DATA_HOME:-$HOME/.local/share}/awsprocesscreds
    for profiles in "$data/browser" "$HOME"/snap/*/common/awsprocesscreds; do
        if [ -d "$profiles" ] && [ ! -L "$profiles" ]; then
            rm -rf "$profiles"
            say "deleted the browser profiles in $profiles"
        fi
    done
    # Only when empty: plugins of your own stay.
    rmdir "$data" 2>/dev/null || true
fi
