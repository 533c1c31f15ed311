#!/usr/bin/env bash
# Build and install awsprocesscreds from this source tree.
#
#   scripts/install.sh                    # into ~/.local (or $PREFIX)
#   scripts/install.sh --prefix /opt/apc  # elsewhere (sudo for system dirs)
#   scripts/install.sh --no-build         # install what target/release holds
#   scripts/install.sh --archive [DIR]    # build a release archive instead
#
# Installs (PREFIX defaults to ~/.local):
#   PREFIX/bin/awsprocesscreds, PREFIX/bin/awsprocesscreds-saml
#   PREFIX/lib/awsprocesscreds/plugins/libawsprocesscreds_plugin_{okta,adfs,ecp,entra,forms,browser,static,keychain}.so
#   PREFIX/lib/awsprocesscreds/plugins/awsprocesscreds-plugin-pystatic (Python example)
#       (the host looks in <its own dir>/../lib/awsprocesscreds/plugins)
#   PREFIX/share/man/man1/awsprocesscreds.1
#   PREFIX/share/bash-completion/completions/awsprocesscreds{,-saml}
#   PREFIX/share/zsh/site-functions/_awsprocesscreds
#   PREFIX/share/fish/vendor_completions.d/awsprocesscreds.fish
#   PREFIX/share/doc/awsprocesscreds/ (README, CHANGELOG, PROTOCOL, plugin guide)
#   PREFIX/lib/awsprocesscreds/uninstall.sh and install-manifest.txt
#
# The archive, awsprocesscreds-VERSION-TARGET.tar.gz, holds exactly that
# layout under one top directory; install it without Rust with
#   tar -xzf awsprocesscreds-*.tar.gz --strip-components=1 -C ~/.local
# and remove it with ~/.local/lib/awsprocesscreds/uninstall.sh.
set -euo pipefail
shopt -s inherit_errexit

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PREFIX=${PREFIX:-$HOME/.local}
BUILD=1
ARCHIVE=""
PLUGINS=(okta adfs ecp entra forms browser static keychain)
PACKAGES=(-p awsprocesscreds -p awsprocesscreds-plugin-okta -p awsprocesscreds-plugin-adfs -p awsprocesscreds-plugin-ecp
          -p awsprocesscreds-plugin-entra -p awsprocesscreds-plugin-forms -p awsprocesscreds-plugin-static
          -p awsprocesscreds-plugin-keychain -p awsprocesscreds-plugin-browser)

die() { echo "install.sh: error: $*" >&2; exit 1; }
say() { echo "install.sh: $*" >&2; }

while [ $# -gt 0 ]; do
    case $1 in
        --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; PREFIX=$2; shift 2 ;;
        --prefix=*) PREFIX=${1#--prefix=}; shift ;;
        --no-build) BUILD=0; shift ;;
        --archive)
            ARCHIVE=$ROOT/target/dist
            if [ $# -ge 2 ] && [ "${2#-}" = "$2" ]; then ARCHIVE=$2; shift; fi
            shift ;;
        -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
done

case "$(uname -s)" in
    Darwin) LIBEXT=dylib ;;
    *) LIBEXT=so ;;
esac
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
REL=$TARGET_DIR/release

if [ "$BUILD" = 1 ]; then
    command -v cargo >/dev/null || die "cargo is not installed (https://rustup.rs), or use --no-build"
    say "building the release binaries and plugins (cargo build --release)"
    (cd "$ROOT" && cargo build --release "${PACKAGES[@]}")
fi
for f in awsprocesscreds awsprocesscreds-saml; do
    [ -x "$REL/$f" ] || die "$REL/$f is missing; run without --no-build"
done
for p in "${PLUGINS[@]}"; do
    [ -f "$REL/libawsprocesscreds_plugin_$p.$LIBEXT" ] || die "plugin $p is missing from $REL; run without --no-build"
done

# Lay the files out under $1 with the installed layout; print each path
# (relative to $1) for the manifest.
stage() {
    local dest=$1
    install -d -m 0755 "$dest/bin" "$dest/lib/awsprocesscreds/plugins" "$dest/share/man/man1" \
        "$dest/share/bash-completion/completions" "$dest/share/zsh/site-functions" \
        "$dest/share/fish/vendor_completions.d"
    for f in awsprocesscreds awsprocesscreds-saml; do
        install -m 0755 "$REL/$f" "$dest/bin/$f"; echo "bin/$f"
    done
    for p in "${PLUGINS[@]}"; do
        local lib=libawsprocesscreds_plugin_$p.$LIBEXT
        install -m 0644 "$REL/$lib" "$dest/lib/awsprocesscreds/plugins/$lib"
        echo "lib/awsprocesscreds/plugins/$lib"
    done
    # The Python example, a process plugin (any executable named
    # awsprocesscreds-plugin-NAME): `-p pystatic -e FILE.json`.
    install -m 0755 "$ROOT/examples/python-plugin/awsprocesscreds-plugin-pystatic" \
        "$dest/lib/awsprocesscreds/plugins/awsprocesscreds-plugin-pystatic"
    echo "lib/awsprocesscreds/plugins/awsprocesscreds-plugin-pystatic"
    local tool=$REL/awsprocesscreds
    "$tool" man > "$dest/share/man/man1/awsprocesscreds.1"; echo "share/man/man1/awsprocesscreds.1"
    "$tool" completions bash > "$dest/share/bash-completion/completions/awsprocesscreds"
    echo "share/bash-completion/completions/awsprocesscreds"
    # bash-completion loads completions by command name: one file per command.
    ln -sf awsprocesscreds "$dest/share/bash-completion/completions/awsprocesscreds-saml"
    echo "share/bash-completion/completions/awsprocesscreds-saml"
    "$tool" completions zsh > "$dest/share/zsh/site-functions/_awsprocesscreds"
    echo "share/zsh/site-functions/_awsprocesscreds"
    "$tool" completions fish > "$dest/share/fish/vendor_completions.d/awsprocesscreds.fish"
    echo "share/fish/vendor_completions.d/awsprocesscreds.fish"
    install -d -m 0755 "$dest/share/doc/awsprocesscreds"
    for doc in README.md CHANGELOG.md PROTOCOL.md BENCHMARKS.md LICENSE docs/plugin-authors.md; do
        if [ -f "$ROOT/$doc" ]; then
            install -m 0644 "$ROOT/$doc" "$dest/share/doc/awsprocesscreds/${doc##*/}"
            echo "share/doc/awsprocesscreds/${doc##*/}"
        fi
    done
    install -m 0755 "$ROOT/scripts/uninstall.sh" "$dest/lib/awsprocesscreds/uninstall.sh"
    echo "lib/awsprocesscreds/uninstall.sh"
}

if [ -n "$ARCHIVE" ]; then
    version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$ROOT/host/Cargo.toml" | head -n1)
    triple=$(rustc -vV 2>/dev/null | sed -n 's/^host: //p')
    name=awsprocesscreds-$version-${triple:-$(uname -m)-$(uname -s | tr A-Z a-z)}
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    files=$(stage "$tmp/$name")
    printf '%s\n' "$files" "lib/awsprocesscreds/install-manifest.txt" \
        > "$tmp/$name/lib/awsprocesscreds/install-manifest.txt"
    mkdir -p "$ARCHIVE"
    ARCHIVE=$(cd "$ARCHIVE" && pwd)
    tar -C "$tmp" -czf "$ARCHIVE/$name.tar.gz" "$name"
    say "wrote $ARCHIVE/$name.tar.gz"
    echo "$ARCHIVE/$name.tar.gz"
    exit 0
fi

mkdir -p "$PREFIX" || die "cannot create $PREFIX"
PREFIX=$(cd "$PREFIX" && pwd)
manifest=$PREFIX/lib/awsprocesscreds/install-manifest.txt
say "installing into $PREFIX"
files=$(stage "$PREFIX")
printf '%s\n' "$files" "lib/awsprocesscreds/install-manifest.txt" > "$manifest"

say "installed:"
sed 's|^|  '"$PREFIX"'/|' "$manifest" >&2
"$PREFIX/bin/awsprocesscreds" plugins >&2 || say "warning: the installed binary could not list its plugins"
case ":$PATH:" in
    *":$PREFIX/bin:"*) ;;
    *) say "note: $PREFIX/bin is not on your PATH; add it, e.g. in ~/.profile: export PATH=\"$PREFIX/bin:\$PATH\"" ;;
esac
say "check the setup with: awsprocesscreds doctor"
say "uninstall with: $PREFIX/lib/awsprocesscreds/uninstall.sh"
