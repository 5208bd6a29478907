#!/usr/bin/env bash
# Sets up logsift on a fresh machine, idempotently: Node dependencies and the build, then a Python virtual
# environment in the repository (.venv) with environment/requirements.txt (Dask, Ray, pyarrow, pytest).
# Re-running skips what is already up to date. Prints what it did and what failed; exits non-zero if anything failed.
#   LOGSIFT_SETUP_PYTHON=python3.11   the interpreter the venv is made from (default: python3)
#   LOGSIFT_SETUP_SKIP_PYTHON=1       Node side only (`npm run demo` needs no Python; `npm test` and Dask/Ray do)
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
declare -a DONE=() FAILED=()
did() { DONE+=("$1"); echo "== setup: $1"; }
failed() { FAILED+=("$1"); echo "== setup: FAILED: $1" >&2; }
hash_of() { sha256sum "$@" | sha256sum | cut -c1-16; }

# --- Node ---------------------------------------------------------------------------------------------------
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  failed "node and npm are required (Node 20 or newer): install them, then run this again"
else
  NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
  if [ "$NODE_MAJOR" -lt 20 ]; then failed "Node $(node --version) is too old: logsift needs Node 20 or newer"; fi
  LOCK_HASH="$(hash_of package-lock.json)"
  if [ -f node_modules/.logsift-setup ] && [ "$(cat node_modules/.logsift-setup)" = "$LOCK_HASH" ]; then
    did "node dependencies already match package-lock.json (skipped npm ci)"
  elif npm ci --no-audit --no-fund; then
    echo "$LOCK_HASH" > node_modules/.logsift-setup
    did "node dependencies installed (npm ci)"
  else
    failed "npm ci (see the npm output above)"
  fi
  if [ -d node_modules ] && npm run --silent build; then did "built dist/ (npm run build)"; else failed "npm run build (see the compiler output above)"; fi
fi

# --- Python -------------------------------------------------------------------------------------------------
if [ "${LOGSIFT_SETUP_SKIP_PYTHON:-}" = "1" ]; then
  did "Python side skipped (LOGSIFT_SETUP_SKIP_PYTHON=1): Dask/Ray executors and pytest will not work"
else
  PY="${LOGSIFT_SETUP_PYTHON:-python3}"
  if ! command -v "$PY" >/dev/null 2>&1; then
    failed "$PY not found: install Python 3.10-3.12 (or set LOGSIFT_SETUP_PYTHON), then run this again"
  else
    if [ ! -x .venv/bin/python ]; then
      if ! "$PY" -m venv .venv 2>/dev/null; then
        rm -rf .venv
        # Debian and Ubuntu ship venv separately.
        if command -v apt-get >/dev/null 2>&1; then
          SUDO=""; if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
          echo "== setup: $PY has no venv module; installing python3-venv"
          $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
        fi
        "$PY" -m venv .venv || rm -rf .venv
      fi
      if [ -x .venv/bin/python ]; then did "made the virtual environment .venv ($("$PY" --version 2>&1))"; else failed "cannot make a virtual environment with $PY -m venv (install python3-venv)"; fi
    fi
    if [ -x .venv/bin/python ]; then
      REQ_HASH="$(hash_of environment/requirements.txt)"
      if [ -f .venv/.logsift-setup ] && [ "$(cat .venv/.logsift-setup)" = "$REQ_HASH" ]; then
        did "Python requirements already installed in .venv (skipped pip)"
      elif .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip && .venv/bin/python -m pip install -q --disable-pip-version-check -r environment/requirements.txt; then
        echo "$REQ_HASH" > .venv/.logsift-setup
        did "installed environment/requirements.txt into .venv"
      else
        failed "pip install -r environment/requirements.txt (see the pip output above)"
      fi
      if .venv/bin/python -c 'import dask, distributed, ray, pyarrow, pytest' 2>/dev/null; then
        did "checked: dask $(.venv/bin/python -c 'import dask; print(dask.__version__)'), ray $(.venv/bin/python -c 'import ray; print(ray.__version__)'), pyarrow $(.venv/bin/python -c 'import pyarrow; print(pyarrow.__version__)') import"
      else
        failed "dask, distributed, ray, pyarrow or pytest does not import from .venv"
      fi
    fi
  fi
fi

echo "== setup summary ($ROOT):"
for d in "${DONE[@]}"; do echo "   ok      $d"; done
for f in "${FAILED[@]+"${FAILED[@]}"}"; do echo "   FAILED  $f"; done
if [ "${#FAILED[@]}" -gt 0 ]; then exit 1; fi
echo "   next: npm run demo | npm test | node bin/logsift.js analyze --help (see README_SETUP.md)"
