"""Train the listening band's reward model: past melody -> expected fit of each candidate chord.

Data: folk songs and dance tunes from music21 (``PLANNER_TRAINING``), none of them in the
evaluation or tuning collections. For every bar from the second on, the features of what was
heard before it, and as target the harmonic agreement every candidate chord would reach with
the bar's real melody. A small MLP regresses those targets; ``HarmonyPlanner`` picks by them.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from coperformer.common.paths import cache_dir
from coperformer.model.collections import (
    PLANNER_TRAINING,
    PLANNER_TRAINING_COUNTS,
    collection_melodies,
)
from coperformer.music.harmony import estimate_key, pitch_class_histogram
from coperformer.music.listening import (
    CANDIDATES,
    FEATURES,
    MEMORY_BARS,
    RewardModel,
    candidate_chords,
    plan_features,
)
from coperformer.music.metrics import chord_agreements
from coperformer.music.roll import REST, Grid, grid_from_piece

PLANNER_DATA_VERSION = 3
HIDDEN = 96
VALIDATION_EVERY = 10  # every 10th piece is held out for validation


@dataclass(frozen=True)
class PlannerConfig:
    """Training settings of the reward model."""

    steps: int = 6000
    batch: int = 256
    learning_rate: float = 1e-3
    weight_decay: float = 1e-4
    seed: int = 0
    melodies: int | None = None  # at most this many per collection (None: all of them)


def bar_examples(grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """Features [bars-1, FEATURES] and targets [bars-1, CANDIDATES] (points) of one melody."""
    bars = [grid.melody[grid.bar_slice(b)] for b in range(grid.bars)]
    features, targets = [], []
    for now in range(1, grid.bars):
        recent = bars[max(0, now - MEMORY_BARS):now]
        heard = np.concatenate(recent)
        if not (heard != REST).any():
            continue
        key = estimate_key(pitch_class_histogram(heard))
        features.append(plan_features(recent, now, key))
        chords = candidate_chords(key)
        targets.append(100 * chord_agreements(bars[now], [c.pitch_classes for c in chords],
                                              [c.bass for c in chords]))
    return (np.asarray(features, np.float32).reshape(-1, FEATURES),
            np.asarray(targets, np.float32).reshape(-1, CANDIDATES))


def training_arrays(limit: int | None = None) -> dict[str, np.ndarray]:
    """Examples from every training collection (at most ``limit`` melodies each), split by
    piece; cached."""
    suffix = f"-{limit}" if limit else ""
    path = cache_dir() / f"planner-data-v{PLANNER_DATA_VERSION}{suffix}.npz"
    if path.exists():
        with np.load(path) as data:
            return dict(data)
    parts: dict[str, list[np.ndarray]] = {"x_train": [], "y_train": [], "x_val": [], "y_val": []}
    number = 0
    for collection, count in zip(PLANNER_TRAINING, PLANNER_TRAINING_COUNTS, strict=True):
        for piece in collection_melodies(collection, min(count, limit or count)):
            x, y = bar_examples(grid_from_piece(piece))
            split = "val" if number % VALIDATION_EVERY == 0 else "train"
            parts[f"x_{split}"].append(x)
            parts[f"y_{split}"].append(y)
            number += 1
    arrays = {name: np.concatenate(chunks) for name, chunks in parts.items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path.with_suffix(".tmp.npz"), **arrays)
    path.with_suffix(".tmp.npz").replace(path)
    return arrays


def fit_reward_model(arrays: dict[str, np.ndarray], config: PlannerConfig,
                     ) -> tuple[RewardModel, dict[str, float]]:
    """Regress the candidates' agreement; report validation error and choice quality."""
    torch.manual_seed(config.seed)
    x, y = torch.from_numpy(arrays["x_train"]), torch.from_numpy(arrays["y_train"])
    net = torch.nn.Sequential(torch.nn.Linear(FEATURES, HIDDEN), torch.nn.ReLU(),
                              torch.nn.Linear(HIDDEN, CANDIDATES))
    optimizer = torch.optim.Adam(net.parameters(), config.learning_rate,
                                 weight_decay=config.weight_decay)
    generator = torch.Generator().manual_seed(config.seed)
    for _ in range(config.steps):
        index = torch.randint(0, x.shape[0], (config.batch,), generator=generator)
        loss = ((net(x[index]) - y[index]) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    first, second = net[0], net[2]
    model = RewardModel(first.weight.detach().numpy().T.copy(), first.bias.detach().numpy(),
                        second.weight.detach().numpy().T.copy(), second.bias.detach().numpy())
    return model, validation_figures(model, arrays["x_val"], arrays["y_val"])


def validation_figures(model: RewardModel, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Held-out RMSE and the agreement of the chosen chord against the tonic and an oracle."""
    predicted = np.stack([model.scores(row) for row in x])
    chosen = y[np.arange(len(y)), predicted.argmax(axis=1)]
    return {
        "rmse_points": float(np.sqrt(((predicted - y) ** 2).mean())),
        "chosen_points": float(chosen.mean()),
        "tonic_points": float(y[:, 0].mean()),
        "oracle_points": float(y.max(axis=1).mean()),
        "bars": int(len(y)),
    }


def train_planner(out: Path, config: PlannerConfig, command: str) -> dict:
    """Train, write ``out`` (.npz) and its JSON card; return the card."""
    started = time.perf_counter()
    arrays = training_arrays(config.melodies)
    model, figures = fit_reward_model(arrays, config)
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save(out)
    card = {
        "file": out.name,
        "kind": "listening band's reward model (numpy MLP, used by every style)",
        "data": {
            "collections": {c.name: list(c.sources) for c in PLANNER_TRAINING},
            "melodies": dict(zip((c.name for c in PLANNER_TRAINING), PLANNER_TRAINING_COUNTS,
                                 strict=True)),
            "split": f"by piece: every {VALIDATION_EVERY}th melody is validation",
            "train_bars": int(len(arrays["y_train"])),
            "not_used": "evaluation and tuning collections (coperformer/model/collections.py)",
        },
        "command": command,
        "config": config.__dict__,
        "wall_seconds": round(time.perf_counter() - started, 1),
        "metrics": {"validation": figures},
        "sha256": hashlib.sha256(out.read_bytes()).hexdigest(),
    }
    out.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n")
    return card
