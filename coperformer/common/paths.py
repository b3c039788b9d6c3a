"""Where things are, in one place: the data folders that ship with coperformer (models/,
ui/, soundfonts/) and the user's own folders (models, soundfonts, cache, recordings).

A checkout keeps the data folders beside the package; an installed wheel puts them under the
install's data path (``<prefix>/share/coperformer``, see pyproject.toml). The user's folders
follow the platform's conventions (XDG on Linux, ~/Library on macOS, AppData on Windows).
"""

from __future__ import annotations

import os
import sysconfig
from importlib import resources
from pathlib import Path

import platformdirs

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


def user_models_dir() -> Path:
    """Where the user's own models go: $COPERFORMER_MODELS, else the platform's data folder."""
    chosen = os.environ.get(MODELS_ENV)
    return Path(chosen) if chosen else platformdirs.user_data_path(PACKAGE) / "models"


def model_dirs() -> list[Path]:
    """Folders searched for a model by name: the user's first, then the shipped models/."""
    return [user_models_dir(), data_dir("models")]


def ui_file(name: str) -> Path:
    """A file of the desktop app's ui/ folder (stylesheet, Designer forms, icon)."""
    return data_dir("ui") / name


def soundfonts_dir() -> Path:
    """The shipped soundfonts/ folder (set-up links the system's GM soundfont there)."""
    return data_dir("soundfonts")


def user_soundfonts_dir() -> Path:
    """Where a user may drop a General MIDI soundfont of their own."""
    return platformdirs.user_data_path(PACKAGE) / "soundfonts"


def cache_dir() -> Path:
    """Where preprocessed corpora live: $COPERFORMER_CACHE, else the platform's cache folder."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    return platformdirs.user_cache_path(PACKAGE)


def state_dir() -> Path:
    """The platform's state folder for the app (recordings, logs, trusted models)."""
    return platformdirs.user_state_path(PACKAGE)


def recordings_dir() -> Path:
    """Where the window journals armed recordings until they are saved (the state folder)."""
    return state_dir() / "recordings"


def logs_dir() -> Path:
    """Where the full report of an unexpected error goes (the state folder)."""
    return state_dir() / "logs"
