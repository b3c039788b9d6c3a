"""The model store: models by name (models/ or $COPERFORMER_MODELS) or path, each loaded and
warmed up once per process and file version, whatever thread asks first."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from coperformer.common.errors import first_line
from coperformer.common.files import input_problem
from coperformer.common.paths import models_dir
from coperformer.model.runtime import BandModel, ModelError
from coperformer.music.listening import RewardModel

DEFAULT_MODEL = "bach"
MODEL_SUFFIX = ".pt"
LISTENER_FILE = "listener.npz"

_LOADED: dict[tuple[str, int], BandModel] = {}
_LOCK = threading.Lock()


def available_models() -> list[str]:
    """Names of the models in the models folder, sorted (any thread)."""
    return sorted(path.stem for path in models_dir().glob(f"*{MODEL_SUFFIX}"))


def resolve_model(name_or_path: str | None) -> Path:
    """A model name from the models folder, or a path to a .pt file (any thread)."""
    text = name_or_path or DEFAULT_MODEL
    candidate = Path(text)
    if candidate.suffix == MODEL_SUFFIX or os.sep in text:
        if not candidate.exists():
            raise ModelError(f"model file not found: {candidate}")
        if problem := input_problem(candidate):
            raise ModelError(f"cannot read the model file {candidate}: {problem}")
        return candidate
    folder = models_dir()
    path = folder / f"{text}{MODEL_SUFFIX}"
    if not path.exists():
        have = ", ".join(available_models()) or "none"
        raise ModelError(f"no model named {text!r} in {folder} (have: {have})")
    return path


def load_model(name_or_path: str | None) -> BandModel:
    """A loaded and warmed-up model, cached per file and modification time (any thread; a
    second caller waits for the first load instead of loading again)."""
    path = resolve_model(name_or_path).resolve()
    key = (str(path), path.stat().st_mtime_ns)
    with _LOCK:
        if key not in _LOADED:
            model = BandModel(path)
            model.warm_up()
            _LOADED[key] = model
        return _LOADED[key]


def load_reward_model(path: str | Path | None = None) -> RewardModel:
    """The listening band's reward model (listener.npz in the models folder, else the shipped
    one; any thread)."""
    target = Path(path) if path else models_dir() / LISTENER_FILE
    if not target.exists() and not path:
        from coperformer.common.paths import data_dir

        target = data_dir("models") / LISTENER_FILE
    try:
        return RewardModel.load(target)
    except (OSError, KeyError, ValueError) as exc:
        raise ModelError(f"{target}: not a listening-band reward model ({first_line(exc)})"
                         ) from exc
