#!/usr/bin/env bash
# Installs what the real-client conformance tests (host/tests/it/conformance_*.rs)
# need: a Python virtual environment with the AWS CLI (v1, `awscli` on PyPI)
# and moto's standalone server (`moto[server]`, used as a local STS).
#
# The venv lives in $AWSPROCESSCREDS_TEST_VENV, default <repo>/target/conformance-venv.
# The tests look there for bin/aws and bin/moto_server (see docs/testing.md).
# Idempotent and quiet: does nothing when both tools already run.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${AWSPROCESSCREDS_TEST_VENV:-$repo/target/conformance-venv}"

if [ -x "$venv/bin/aws" ] && [ -x "$venv/bin/moto_server" ] \
  && "$venv/bin/aws" --version >/dev/null 2>&1 \
  && "$venv/bin/python" -c 'import moto.server' >/dev/null 2>&1; then
  exit 0
fi

python="${PYTHON:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
  echo "conformance-deps: $python not found; install Python 3 (with venv) first" >&2
  exit 1
fi

mkdir -p "$(dirname "$venv")"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
# awscli v1 pins its botocore; moto[server] brings flask and werkzeug.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check awscli 'moto[server]'

"$venv/bin/aws" --version >/dev/null
"$venv/bin/python" -c 'import moto.server'
