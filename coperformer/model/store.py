"""The model store: models by name (the user's models folder, then the shipped models/) or
path, each loaded and warmed up once per process and file version, whatever thread asks first."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from coperformer.common.errors import first_line
from coperformer.common.files import input_problem
from coperformer.common.paths import data_dir, model_dirs
from coperformer.common.stopping import abandon
from coperformer.model.errors import ModelError
from coperformer.model.npz_check import check_npz
from coperformer.model.trust import (
    check_trusted,
    digest_of,
    is_shipped,
    model_bytes,
    trust_digest,
)
from coperformer.music.chord_model import ChordModel

if TYPE_CHECKING:
    from coperformer.model.runtime import BandModel

DEFAULT_MODEL = "bach"
MODEL_SUFFIX = ".pt"
CHORDS_FILE = "chords.npz"
WARM_UP_LIMIT_S = 60.0  # a healthy model warms up in well under a second
BAR_DEADLINE_S = 10.0  # a module not shipped that takes longer for one call is abandoned

_LOADED: dict[tuple[str, str], BandModel] = {}  # (torch is imported with the first load)
_LOCK = threading.Lock()


def available_models() -> list[str]:
    """Names of the models (regular files) in the user's and the shipped models folders,
    sorted (any thread)."""
    return sorted({path.stem for folder in model_dirs()
                   for path in folder.glob(f"*{MODEL_SUFFIX}") if path.is_file()})


def resolve_model(name_or_path: str | None) -> Path:
    """A model by name (the user's models folder, then the shipped one; a user's file never
    stands in for a shipped style's name: that is an error naming it), or a path to a .pt file
    (any thread). Only a regular file is ever a model."""
    text = name_or_path or DEFAULT_MODEL
    candidate = Path(text)
    if candidate.suffix == MODEL_SUFFIX or os.sep in text:
        if not candidate.exists():
            raise ModelError(f"model file not found: {candidate}")
        return _readable(candidate)
    found = [folder / f"{text}{MODEL_SUFFIX}" for folder in model_dirs()
             if os.path.lexists(folder / f"{text}{MODEL_SUFFIX}")]
    if len(found) > 1 and not _same_file(*found[:2]):
        raise ModelError(f"{found[0]} has the name of a shipped style ({text}): rename it to "
                         "load it by name, or give its path to --model")
    if found:
        return _readable(found[0])
    have = ", ".join(available_models()) or "none"
    folders = " or ".join(str(folder) for folder in model_dirs())
    raise ModelError(f"no model named {text!r} in {folders} (have: {have})")


def _readable(path: Path) -> Path:
    if problem := input_problem(path):
        raise ModelError(f"cannot read the model file {path}: {problem}")
    return path


def _same_file(first: Path, second: Path) -> bool:
    try:
        return first.samefile(second)
    except OSError:
        return False


def load_model(name_or_path: str | None, trust_it: bool = False,
               quick_start: bool = False) -> BandModel:
    """A loaded and warmed-up model, cached per file and content (any thread; a
    second caller waits for the first load instead of loading again). Only a trusted file is
    loaded (see trust.py); ``trust_it`` trusts this one first. ``quick_start`` loads it
    without torch when it can (the numpy pass; BandModel.adopt_torchscript hands over)."""
    from coperformer.model.runtime import BandModel

    path = resolve_model(name_or_path).resolve()
    data = model_bytes(path)  # read once: the bytes checked are the bytes loaded
    if trust_it:
        trust_digest(digest_of(data))
    key = (str(path), digest_of(data))
    with _LOCK:
        if key not in _LOADED:
            digest = check_trusted(path, data)
            deadline = None if is_shipped(digest) else BAR_DEADLINE_S  # not our code: guarded
            _LOADED[key] = _load_within(
                lambda: BandModel(path, quick_start=quick_start, data=data,
                                  deadline_s=deadline), path, WARM_UP_LIMIT_S)
        return _LOADED[key]


def _load_within(load, path: Path, limit_s: float) -> BandModel:
    """Load and warm the model up on a helper thread (its module's own code runs from its
    first call, metadata() included); ModelError when it fails or takes too long (a module
    that never answers is left running on its daemon thread)."""
    failure: list[BaseException] = []
    loaded: list[BandModel] = []

    def work() -> None:
        try:
            loaded.append(load())
            loaded[0].warm_up()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            failure.append(exc)

    worker = threading.Thread(target=work, name="model-warm-up", daemon=True)
    worker.start()
    try:
        worker.join(limit_s)
    finally:
        if worker.is_alive():  # never answered, or Ctrl-C: left to run, never waited on
            abandon(worker)
    if worker.is_alive():
        raise ModelError(f"{path}: the model did not answer within {limit_s:g} s")
    if failure:
        if isinstance(failure[0], ModelError):
            raise failure[0]
        raise ModelError(f"{path}: the model failed to warm up "
                         f"({type(failure[0]).__name__}: {first_line(failure[0])})")
    return loaded[0]


def load_chord_model(path: str | Path | None = None) -> ChordModel:
    """The listening band's chord model (chords.npz in the user's models folder, else the
    shipped one; any thread)."""
    found = [folder / CHORDS_FILE for folder in model_dirs() if (folder / CHORDS_FILE).exists()]
    target = Path(path) if path else (found or [data_dir("models") / CHORDS_FILE])[0]
    check_npz(target)  # a regular file, its arrays' sizes, before numpy reads any
    try:
        return ChordModel.load(target)
    except (OSError, KeyError, ValueError) as exc:
        raise ModelError(f"{target}: not a chord model ({first_line(exc)})") from exc


def load_reward_model(path: str | Path | None = None) -> ChordModel:
    """The listening band's planner model under its older name: the chord model (any
    thread)."""
    return load_chord_model(path)
