#!/usr/bin/env bash
# Idempotent set-up on Debian/Ubuntu: apt packages (when missing), .venv, the package and its extras.
# Usage: scripts/setup.sh [extras]   e.g. scripts/setup.sh test
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRAS="${1:-train}"
APT_PACKAGES=(libfluidsynth3 fluid-soundfont-gm jackd2 python3-venv
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0
  libxcb-randr0 libxcb-render-util0 libxcb-image0 libxcb-xkb1)
if [[ "$EXTRAS" == test ]]; then APT_PACKAGES+=(xvfb xauth pulseaudio pulseaudio-utils); fi

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    echo "setup: installing ${missing[*]}" >&2
    echo "jackd2 jackd/tweak_rt_limits boolean false" | $SUDO debconf-set-selections 2>/dev/null || true
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
else
  echo "setup: not a Debian/Ubuntu system; install libfluidsynth, a GM soundfont and jackd yourself (see README)" >&2
fi

PY="${PYTHON:-python3}"
if [[ ! -x .venv/bin/python ]]; then
  "$PY" -m venv .venv
fi
STAMP=.venv/.coperformer-$EXTRAS-$(sha256sum pyproject.toml | cut -c1-16)
if [[ ! -f "$STAMP" ]]; then
  echo "setup: installing Python packages into .venv ($EXTRAS)" >&2
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  # Prefer torch 2.13.0 (a CPU wheel where one is available locally); else the newest.
  if ! .venv/bin/python -c "import torch" >/dev/null 2>&1; then
    .venv/bin/python -m pip install -q torch==2.13.0 2>/dev/null \
      || .venv/bin/python -m pip install -q torch
  fi
  .venv/bin/python -m pip install -q -e ".[$EXTRAS]"
  touch "$STAMP"
fi

# Make the distro's GM soundfont visible in soundfonts/ (the link is not committed).
for sf in /usr/share/sounds/sf2/FluidR3_GM.sf2 /usr/share/soundfonts/FluidR3_GM.sf2; do
  if [[ -f "$sf" && ! -e soundfonts/FluidR3_GM.sf2 ]]; then
    mkdir -p soundfonts && ln -s "$sf" soundfonts/FluidR3_GM.sf2
  fi
done
