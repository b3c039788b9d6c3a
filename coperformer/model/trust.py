"""A model file is code: only shipped models, the user's own trained ones (each matching its
card's sha256) and files the user has trusted once are loaded."""

from __future__ import annotations

import json
from pathlib import Path

from coperformer.common.files import atomic_write
from coperformer.common.paths import model_dirs, state_dir
from coperformer.model.card import read_card, sha256_of
from coperformer.model.errors import ModelError

TRUST_FILE = "trusted-models.json"  # in the state folder: the sha256 of each trusted file


def trusted_hashes() -> set[str]:
    """The sha256 of every model file the user has trusted (any thread)."""
    path = state_dir() / TRUST_FILE
    try:
        return set(json.loads(path.read_text()).get("sha256", []))
    except (OSError, ValueError, AttributeError):
        return set()


def trust(path: Path) -> str:
    """Trust this exact file from now on (its sha256 is remembered); returns the sha256."""
    digest = sha256_of(path)
    hashes = sorted(trusted_hashes() | {digest})
    target = state_dir() / TRUST_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, lambda tmp: Path(tmp).write_text(json.dumps({"sha256": hashes})))
    return digest


def check_trusted(path: Path) -> None:
    """ModelError unless ``path`` is a shipped or trained model that matches its card, or a
    file the user trusted. Any thread."""
    digest = sha256_of(path)
    if digest in trusted_hashes():
        return
    card = read_card(path)
    in_models = any(path.resolve().parent == folder.resolve() for folder in model_dirs()
                    if folder.exists())
    if in_models and card.get("sha256") == digest:
        return
    if in_models and card:
        raise ModelError(f"{path} does not match the sha256 on its card (the file changed "
                         "after it was written): not loaded; --trust-model loads it anyway")
    raise ModelError(f"{path} is not a shipped or trained model, and a model file is code: "
                     f"check where it comes from, then load it with --trust-model (sha256 "
                     f"{digest[:16]}...)")
