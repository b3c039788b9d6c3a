#!/usr/bin/env bash
# Set everything up, then run ruff and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
.venv/bin/ruff check coperformer tests
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
