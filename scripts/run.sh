#!/usr/bin/env bash
# Set everything up, then start coperformer (arguments are passed on; default: the window).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh train
if [[ $# -eq 0 ]]; then set -- gui; fi
exec .venv/bin/coperformer "$@"
