"""Train the key finder (music/key_finder.py) on tunes whose key is known: the key a tune
ends in (``endings.ending_key``: its melody and its last note; a chorale's last chord's
root in place of that note). Examples are the first bars of each tune, as the band hears
them. Data: the folk collections kept for training (``collections.PLANNER_TRAINING``, never
an evaluation or tuning set) and the training chorales; every tenth folk tune and the
validation chorales are held out."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch

from coperformer.model.chord_data import LabelledTune, chorale_tunes
from coperformer.model.collections import PLANNER_TRAINING, collection_melodies
from coperformer.music.chords import chord_root
from coperformer.music.endings import melody_ending_key
from coperformer.music.harmony import Key
from coperformer.music.key_finder import (
    CORRELATION_SHARPNESS,
    KEY_FEATURES,
    KEYS,
    KeyFinder,
    correlation_finder,
    key_features,
)
from coperformer.music.listening import MIN_PITCH_CLASSES
from coperformer.music.roll import REST, Grid, grid_from_piece

KEY_BARS = 16  # examples: the key heard after each of a tune's first bars (once the band
# has heard MIN_PITCH_CLASSES pitch classes)
HELD_OUT_EVERY = 10  # every tenth folk tune is held out


@dataclass(frozen=True)
class KeyConfig:
    """Training settings of the key finder."""

    folk_tunes: int = 300  # from each folk training collection (cached once parsed)
    steps: int = 600
    learning_rate: float = 0.02
    l2: float = 1e-3  # on every weight but the correlation's
    seed: int = 0


def tune_key_truth(grid: Grid, labels: np.ndarray | None = None) -> Key:
    """The key a tune ends in: its melody and last note, or (``labels``: human chords per
    step) the root of its last chord."""
    known = labels[labels >= 0] if labels is not None else np.zeros(0)
    return melody_ending_key(grid.melody, chord_root(int(known[-1])) if known.size else None)


def key_tunes(config: KeyConfig) -> dict[str, list[tuple[Grid, Key]]]:
    """(melody grid, true key) of the training and held-out tunes."""
    folk = [grid_from_piece(piece) for collection in PLANNER_TRAINING
            for piece in collection_melodies(collection, config.folk_tunes)]
    chorales = chorale_tunes()

    def truth(tunes: list[LabelledTune]) -> list[tuple[Grid, Key]]:
        return [(t.grid, tune_key_truth(t.grid, t.labels)) for t in tunes]

    return {"train": [(g, tune_key_truth(g)) for i, g in enumerate(folk)
                      if i % HELD_OUT_EVERY] + truth(chorales["train"]),
            "held-out folk": [(g, tune_key_truth(g)) for i, g in enumerate(folk)
                              if not i % HELD_OUT_EVERY],
            "validation chorales": truth(chorales["validation"])}


def key_examples(tunes: list[tuple[Grid, Key]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features [n, KEYS, KEY_FEATURES], the true key's row [n] and the bars heard [n]."""
    xs, ys, heard = [], [], []
    for grid, key in tunes:
        bars = [grid.melody[grid.bar_slice(b)] for b in range(grid.bars)]
        for count in range(1, min(len(bars), KEY_BARS) + 1):
            steps = np.concatenate(bars[:count])
            if len(np.unique(steps[steps != REST] % 12)) < MIN_PITCH_CLASSES:
                continue
            xs.append(key_features(bars[:count]))
            ys.append(2 * key.tonic + int(key.minor))
            heard.append(count)
    return (np.asarray(xs, np.float32).reshape(-1, KEYS, KEY_FEATURES),
            np.asarray(ys, np.int64), np.asarray(heard, np.int64))


def fit_key_finder(x: np.ndarray, y: np.ndarray, config: KeyConfig) -> KeyFinder:
    """Cross-entropy on the true key, from the correlation finder (full batch, Adam)."""
    torch.manual_seed(config.seed)
    start = correlation_finder()
    weights = torch.tensor(start.weights, dtype=torch.float32, requires_grad=True)
    bias = torch.zeros(2, requires_grad=True)
    mode = torch.arange(KEYS) % 2
    features, target = torch.from_numpy(x), torch.from_numpy(y)
    optimizer = torch.optim.Adam([weights, bias], config.learning_rate)
    for _ in range(config.steps):
        scores = (features * weights[mode]).sum(-1) + bias[mode]
        loss = torch.nn.functional.cross_entropy(scores, target) \
            + config.l2 * (weights[:, :-1] ** 2).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return KeyFinder(weights.detach().double().numpy(), bias.detach().double().numpy())


def key_accuracy(finder: KeyFinder, tunes: list[tuple[Grid, Key]]) -> dict[str, float]:
    """The share of examples whose likeliest key is the true one: after 1-4 bars, and
    after 1-16."""
    x, y, heard = key_examples(tunes)
    right = finder.scores(x).argmax(1) == y
    return {"first_4_bars": round(float(right[heard <= 4].mean()), 4),
            "first_16_bars": round(float(right.mean()), 4), "examples": int(y.size)}


def train_key_finder(config: KeyConfig, log=print) -> tuple[KeyFinder, dict]:
    """The trained finder and its card section (data, settings, held-out accuracy beside the
    correlation finder's)."""
    tunes = key_tunes(config)
    x, y, _ = key_examples(tunes["train"])
    finder = fit_key_finder(x, y, config)
    held_out = {name: {"learned": key_accuracy(finder, part),
                       "correlation": key_accuracy(correlation_finder(), part)}
                for name, part in tunes.items() if name != "train"}
    log(f"key finder: {held_out}")
    return finder, {
        "data": f"{len(tunes['train'])} tunes ({', '.join(c.name for c in PLANNER_TRAINING)}: "
                f"up to {config.folk_tunes} each, all but every {HELD_OUT_EVERY}th; the "
                f"training chorales), the first {KEY_BARS} bars of each",
        "truth": "the key a tune ends in (endings.ending_key: the melody and its last note; "
                 "a chorale's last chord's root)",
        "config": asdict(config), "examples": int(y.size),
        "correlation_sharpness": CORRELATION_SHARPNESS, "held_out_accuracy": held_out}
