"""Model cards: the JSON beside each model file (data, split, command, time, metrics, sha256).
A card is information only, never a reason to trust a model (see trust.py); it is read as a
regular file of at most MAX_CARD_BYTES, and each way it can be broken is named."""

from __future__ import annotations

import json
import os
from pathlib import Path

from coperformer.common.errors import first_line
from coperformer.common.files import UnreadableFile, read_regular
from coperformer.model.errors import ModelError
from coperformer.model.trust import digest_of, model_bytes

MAX_CARD_BYTES = 64 * 1024
SECTIONS = ("data", "split", "training", "metrics", "validation")  # each a JSON object


def card_path(model: str | Path) -> Path:
    """The card that belongs to a model file."""
    return Path(model).with_suffix(".json")


def sha256_of(path: str | Path) -> str:
    """The hex sha256 of a model file (a regular file, read once; ModelError otherwise)."""
    return digest_of(model_bytes(path))


def read_card(model: str | Path) -> dict:
    """The card of a model ({} when there is none); ModelError naming what is wrong with a
    card that is not a small UTF-8 JSON object (any thread)."""
    path = card_path(model)
    if not os.path.lexists(path):
        return {}
    try:
        text = read_regular(path, MAX_CARD_BYTES, "model card").decode("utf-8")
    except UnreadableFile as exc:
        raise ModelError(str(exc)) from None
    except UnicodeDecodeError:
        raise ModelError(f"{path}: the model card is not UTF-8 text (a binary file?)") from None
    try:
        card = json.loads(text)
    except RecursionError:
        raise ModelError(f"{path}: the model card is nested too deep") from None
    except ValueError as exc:
        raise ModelError(f"{path}: the model card is not JSON ({first_line(exc)})") from None
    if not isinstance(card, dict):
        raise ModelError(f"{path}: the model card is a JSON {type(card).__name__}, not an "
                         "object")
    for section in SECTIONS:
        if not isinstance(card.get(section, {}), dict):
            raise ModelError(f"{path}: the model card's {section!r} is not an object")
    return card


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
    config = read_card(model).get("training", {}).get("config", {})
    corpus = config.get("corpus", "bach") if isinstance(config, dict) else "bach"
    return corpus if isinstance(corpus, str) else "bach"
