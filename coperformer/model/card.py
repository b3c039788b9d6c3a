"""Model cards: the JSON beside each model file (data, split, command, time, metrics, sha256)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path


def card_path(model: str | Path) -> Path:
    """The card that belongs to a model file."""
    return Path(model).with_suffix(".json")


def sha256_of(path: str | Path) -> str:
    """The hex sha256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_card(model: str | Path) -> dict:
    """The card of a model ({} when there is none)."""
    path = card_path(model)
    return json.loads(path.read_text()) if path.exists() else {}


def update_card(model: str | Path, **sections) -> dict:
    """Merge sections into a model's card, refresh its sha256, and write it."""
    card = read_card(model)
    card.update(sections)
    card["file"] = Path(model).name
    card["sha256"] = sha256_of(model)
    card_path(model).write_text(json.dumps(card, indent=2, sort_keys=True) + "\n")
    return card


def trained_on(model: str | Path) -> str:
    """The corpus a model was trained on, from its card ('bach' when the card does not say)."""
    return read_card(model).get("training", {}).get("config", {}).get("corpus", "bach")
