#!/usr/bin/env bash
# Set everything up, then start coperformer (arguments are passed on; default: a demo).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh train
if [[ $# -eq 0 ]]; then set -- demo; fi
exec .venv/bin/coperformer "$@"
