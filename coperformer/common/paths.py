"""Where things are, in one place: the data folders that ship with coperformer (models/,
ui/, soundfonts/) and the user's own folders (cache, recordings).

A checkout keeps the data folders beside the package; an installed wheel puts them under the
install's data path (``<prefix>/share/coperformer``, see pyproject.toml).
"""

from __future__ import annotations

import os
import sysconfig
from importlib import resources
from pathlib import Path

PACKAGE = "coperformer"
MODELS_ENV = "COPERFORMER_MODELS"
CACHE_ENV = "COPERFORMER_CACHE"


def _candidates(name: str) -> list[Path]:
    checkout = Path(str(resources.files(PACKAGE))).parent
    installed = Path(sysconfig.get_path("data")) / "share" / PACKAGE
    return [checkout / name, installed / name]


def data_dir(name: str) -> Path:
    """A shipped data folder ('models', 'ui', 'soundfonts'): the checkout's, else the install's."""
    candidates = _candidates(name)
    return next((path for path in candidates if path.is_dir()), candidates[0])


def models_dir() -> Path:
    """The folder of model files: $COPERFORMER_MODELS, else the shipped models/."""
    chosen = os.environ.get(MODELS_ENV)
    return Path(chosen) if chosen else data_dir("models")


def ui_file(name: str) -> Path:
    """A file of the desktop app's ui/ folder (stylesheet, Designer forms, icon)."""
    return data_dir("ui") / name


def soundfonts_dir() -> Path:
    """The folder where a user may drop a General MIDI soundfont."""
    return data_dir("soundfonts")


def cache_dir() -> Path:
    """Where preprocessed corpora live: $COPERFORMER_CACHE, else the XDG cache folder."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / PACKAGE


def recordings_dir() -> Path:
    """Where the window journals armed recordings until they are saved (XDG state folder)."""
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / PACKAGE / "recordings"
