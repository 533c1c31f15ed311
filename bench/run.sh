#!/usr/bin/env bash
# Reproduce the numbers in BENCHMARKS.md on this machine.
#
#   bash bench/run.sh                # everything but the clean build
#   bash bench/run.sh --clean-build  # also time a clean release build (minutes)
#   bash bench/run.sh --quick        # fewer runs, for checking the script
#
# Needs: cargo, rustc, hyperfine (Debian: apt-get install hyperfine),
# Chromium, Xvfb and xdotool for the -p browser rows (.ci/browser-deps.sh),
# GNU time at /usr/bin/time (apt-get install time), python3 with venv and
# network access to PyPI for the Python original (skipped when missing),
# strace (optional: syscall counts).
#
# Writes bench/results/latest.md (and prints it). Nothing outside the work
# directory (default: a new /tmp/apc-bench.XXXXXX) and the target
# directory is touched: HOME is redirected for every measured command.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# HOME is redirected below; keep the Rust toolchain where it is.
export RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup} CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET/release
WORK=${APC_BENCH_WORK:-$(mktemp -d /tmp/apc-bench.XXXXXX)}
VENV=${APC_BENCH_VENV:-$TARGET/bench-venv}
OUT_DIR=$ROOT/bench/results
OUT=$OUT_DIR/latest.md
HIT_RUNS=1000
PY_RUNS=40
LOGIN_RUNS=20
CLIENTS=32
CLEAN_BUILD=0
PLUGINS=(okta adfs forms static keychain browser)
PACKAGES=(-p awsprocesscreds -p awsprocesscreds-plugin-okta -p awsprocesscreds-plugin-adfs
          -p awsprocesscreds-plugin-forms -p awsprocesscreds-plugin-static -p awsprocesscreds-plugin-keychain
          -p awsprocesscreds-plugin-browser)
BROWSER_RUNS=9

for arg in "$@"; do
    case $arg in
        --quick) HIT_RUNS=100; PY_RUNS=10; LOGIN_RUNS=5; BROWSER_RUNS=3 ;;
        --clean-build) CLEAN_BUILD=1 ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "run.sh: unknown argument $arg (see --help)" >&2; exit 2 ;;
    esac
done

need() { command -v "$1" >/dev/null 2>&1 || { echo "run.sh: $1 is required: $2" >&2; exit 1; }; }
need cargo "install Rust"
need hyperfine "apt-get install hyperfine"
need python3 "apt-get install python3"
[ -x /usr/bin/time ] || { echo "run.sh: /usr/bin/time is required: apt-get install time" >&2; exit 1; }

log() { echo "run.sh: $*" >&2; }
mkdir -p "$WORK" "$OUT_DIR"

log "building release binaries and plugins"
(cd "$ROOT" && cargo build --release --quiet "${PACKAGES[@]}")
log "building the do-nothing baseline and the bench driver"
rustc --edition 2021 -C opt-level=3 -C strip=debuginfo "$ROOT/bench/noop.rs" -o "$WORK/noop"
(cd "$ROOT/bench" && CARGO_TARGET_DIR=$TARGET cargo build --release --quiet)
BENCH=$BIN/apc-bench

# The Python original, from PyPI, in its own venv.
PY=""
if [ -x "$VENV/bin/awsprocesscreds-saml" ]; then
    PY=$VENV/bin/awsprocesscreds-saml
elif python3 -m venv "$VENV" >/dev/null 2>&1 && "$VENV/bin/pip" install -q awsprocesscreds >/dev/null 2>&1; then
    PY=$VENV/bin/awsprocesscreds-saml
else
    log "the Python awsprocesscreds could not be installed; its column is skipped"
fi

log "seeding the cache with one Okta login against the fakes"
eval "$("$BENCH" seed --bin-dir "$BIN" --work "$WORK")"

# Every measured command runs in this environment (the fakes are gone: a
# cache miss would fail, so a success proves a hit).
export HOME=$WORK/home
export AWSPROCESSCREDS_CACHE_DIR=$APC_CACHE
export AWS_ENDPOINT_URL_STS=$APC_STS
export AWS_REGION=us-east-1
export AWS_CONFIG_FILE=$WORK/no-aws-config
export AWS_SHARED_CREDENTIALS_FILE=$WORK/no-aws-credentials
unset AWSPROCESSCREDS_VERBOSE AWSPROCESSCREDS_PLUGIN_PATH || true

HIT="$BIN/awsprocesscreds-saml -e $APC_ENDPOINT -u $APC_USERNAME -p okta -a $APC_ROLE"
$HIT >/dev/null || { echo "run.sh: the cache-hit command failed" >&2; exit 1; }
# The same hit in a binary that links only what a hit needs (bench/src/bin/hit_floor.rs).
FLOOR="$BIN/hit-floor -e $APC_ENDPOINT -u $APC_USERNAME -p okta -a $APC_ROLE"
$FLOOR >/dev/null || { echo "run.sh: hit-floor failed" >&2; exit 1; }

if [ -n "$PY" ]; then
    # Pre-seed the original's cache (~/.aws/cli/process-creds-cache/<sha1>.json,
    # see shared/reference/awsprocesscreds-python.md) so its hit path runs.
    python3 - "$APC_ENDPOINT" "$APC_USERNAME" "$APC_ROLE" <<'EOF'
import datetime, hashlib, json, os, sys
endpoint, user, role = sys.argv[1:4]
key = json.dumps({"provider_name": "okta", "saml_config": {
    "saml_endpoint": endpoint, "saml_authentication_type": "form",
    "saml_username": user, "role_arn": role}}, sort_keys=True)
name = hashlib.sha1(key.encode()).hexdigest()
d = os.path.expanduser("~/.aws/cli/process-creds-cache")
os.makedirs(d, exist_ok=True)
exp = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)).replace(microsecond=0)
with open(os.path.join(d, name + ".json"), "w") as f:
    json.dump({"Credentials": {"AccessKeyId": "ASIABENCHMARK", "SecretAccessKey": "s" * 40,
               "SessionToken": "t" * 200, "Expiration": exp.isoformat()}}, f)
EOF
    PY_HIT="$PY -e $APC_ENDPOINT -u $APC_USERNAME -p okta -a $APC_ROLE"
    py_out=$($PY_HIT </dev/null 2>&1 || true)
    case $py_out in
        *ASIABENCHMARK*) ;;
        *) log "the Python cache hit did not work; skipping it: $py_out"; PY="" ;;
    esac
fi

log "cache hit vs do-nothing process ($HIT_RUNS runs each, interleaved warm-up)"
hyperfine -N --style basic --warmup 100 --runs "$HIT_RUNS" \
    -n noop "$WORK/noop" -n cache-hit "$HIT" -n hit-floor "$FLOOR" \
    --export-json "$WORK/hit.json" >&2
if [ -n "$PY" ]; then
    log "Python original cache hit ($PY_RUNS runs)"
    hyperfine -N --style basic --warmup 3 --runs "$PY_RUNS" -n python-cache-hit "$PY_HIT" \
        --export-json "$WORK/py.json" >&2
fi

peak_kb() { # max RSS (KB) of the command, best of 3 runs
    local best=999999999 kb
    for _ in 1 2 3; do
        /usr/bin/time -f %M -o "$WORK/rss" "$@" >/dev/null 2>&1 </dev/null || true
        kb=$(tail -n1 "$WORK/rss")
        [ "$kb" -lt "$best" ] && best=$kb
    done
    echo "$best"
}
RSS_NOOP=$(peak_kb "$WORK/noop")
RSS_HIT=$(peak_kb $HIT)
RSS_FLOOR=$(peak_kb $FLOOR)
RSS_PY=""
[ -n "$PY" ] && RSS_PY=$(peak_kb $PY_HIT)

SYSCALLS=""
if command -v strace >/dev/null 2>&1; then
    count_syscalls() { strace -f -c -o "$WORK/strace" "$@" >/dev/null 2>&1 </dev/null || true
                       awk '$NF == "total" {print $4}' "$WORK/strace" | tail -n1; }
    SC_NOOP=$(count_syscalls "$WORK/noop")
    SC_HIT=$(count_syscalls $HIT)
    SYSCALLS="$SC_HIT syscalls on a cache hit, $SC_NOOP for the do-nothing process (strace -c)"
fi

log "full logins against the fakes ($LOGIN_RUNS runs per provider)"
LOGINS=$("$BENCH" logins --bin-dir "$BIN" --work "$WORK" --runs "$LOGIN_RUNS")
log "$CLIENTS concurrent cold requests"
CONCURRENT=$("$BENCH" concurrent --bin-dir "$BIN" --work "$WORK" --clients "$CLIENTS")
# Needs Chromium, Xvfb and xdotool (.ci/browser-deps.sh); says "skipped" without them.
log "-p browser: headless refresh vs its floor ($BROWSER_RUNS runs each)"
BROWSER=$("$BENCH" browser --bin-dir "$BIN" --work "$WORK" --runs "$BROWSER_RUNS")

BUILD=""
if [ "$CLEAN_BUILD" = 1 ]; then
    log "clean release build into a fresh target directory (this takes minutes)"
    start=$(date +%s)
    (cd "$ROOT" && CARGO_TARGET_DIR=$WORK/clean-target cargo build --release --quiet "${PACKAGES[@]}")
    BUILD="$(( $(date +%s) - start )) s for \`cargo build --release\` of the host and the five first-party plugins into an empty target directory (dependencies already downloaded)"
    rm -rf "$WORK/clean-target"
fi

size_row() { printf '| %s | %s |\n' "$1" "$(python3 -c "import os,sys; print(f'{os.path.getsize(sys.argv[1])/1048576:.2f} MiB')" "$2")"; }

{
    echo "# Benchmark results"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$ROOT" && git diff --quiet 2>/dev/null || echo ' + local changes')"
    echo "- machine: $(nproc) CPUs, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n1), $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- $(rustc --version); $(hyperfine --version); Python original: $([ -n "$PY" ] && "$VENV/bin/pip" show awsprocesscreds 2>/dev/null | sed -n 's/^Version: /awsprocesscreds /p' || echo 'not measured')"
    echo
    echo "## Cache hit: whole-process latency"
    echo
    python3 - "$WORK/hit.json" "$WORK/py.json" "$PY" <<'EOF'
import json, os, statistics, sys
rows = json.load(open(sys.argv[1]))["results"]
if sys.argv[3] and os.path.exists(sys.argv[2]):
    rows += json.load(open(sys.argv[2]))["results"]
by = {r["command"]: r for r in rows}
noop = by["noop"]["median"]
noop_min = by["noop"]["min"]
noop_cpu = by["noop"]["user"] + by["noop"]["system"]
print("| command | median (ms) | mean ± σ (ms) | min (ms) | CPU user+sys, mean (ms) | runs | median × do-nothing | min × do-nothing | CPU × do-nothing |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for name, r in by.items():
    cpu = r["user"] + r["system"]
    print(f"| {name} | {r['median']*1000:.2f} | {r['mean']*1000:.2f} ± {r['stddev']*1000:.2f} | {r['min']*1000:.2f} | {cpu*1000:.2f} | {len(r['times'])} | {r['median']/noop:.2f} | {r['min']/noop_min:.2f} | {cpu/noop_cpu:.2f} |")
if "python-cache-hit" in by:
    print()
    print(f"The Python original's cache hit takes {by['python-cache-hit']['median']/by['cache-hit']['median']:.0f}× as long as ours.")
EOF
    echo
    echo "## Peak memory (max RSS)"
    echo
    echo "| command | peak RSS |"
    echo "|---|---:|"
    echo "| noop | $((RSS_NOOP / 1024)).$(( (RSS_NOOP % 1024) * 10 / 1024 )) MiB |"
    echo "| cache-hit | $((RSS_HIT / 1024)).$(( (RSS_HIT % 1024) * 10 / 1024 )) MiB |"
    echo "| hit-floor | $((RSS_FLOOR / 1024)).$(( (RSS_FLOOR % 1024) * 10 / 1024 )) MiB |"
    [ -n "$RSS_PY" ] && echo "| python-cache-hit | $((RSS_PY / 1024)).$(( (RSS_PY % 1024) * 10 / 1024 )) MiB |"
    [ -n "$SYSCALLS" ] && { echo; echo "$SYSCALLS."; }
    echo
    echo "$LOGINS"
    echo
    echo "$CONCURRENT"
    echo
    echo "## -p browser: headless refresh vs its floor"
    echo
    echo "$BROWSER"
    echo
    echo "## Sizes (release profile)"
    echo
    echo "| file | size |"
    echo "|---|---:|"
    size_row awsprocesscreds "$BIN/awsprocesscreds"
    size_row awsprocesscreds-saml "$BIN/awsprocesscreds-saml"
    for p in "${PLUGINS[@]}"; do size_row "libawsprocesscreds_plugin_$p.so" "$BIN/libawsprocesscreds_plugin_$p.so"; done
    size_row "noop (baseline)" "$WORK/noop"
    size_row "hit-floor (bench only)" "$BIN/hit-floor"
    if [ -n "$BUILD" ]; then
        echo
        echo "## Clean build"
        echo
        echo "$BUILD."
    fi
} > "$OUT"
cat "$OUT"
log "written to $OUT (work directory $WORK)"
