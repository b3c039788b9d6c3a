"""Train the offline beat harmonizer (music/beat_harmonizer.py) on the training chorales'
human chords, one example per beat: cross-entropy on the chord Bach wrote on that beat (read
from his four voices), from the melody around it; the chords' succession counted on the same
tunes. Figures: the harmonizer's root and chord agreement per beat with the held-out
chorales' human chords (never a figure of `coperformer evaluate`, which is never a target)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch

from coperformer.model.chord_data import LabelledTune, chorale_tunes
from coperformer.music.beat_harmonizer import (
    TRANSITION_WEIGHT,
    WINDOW_BEATS,
    BeatHarmonizer,
    beat_features,
    changes_by_step,
    tune_beats,
)
from coperformer.music.chord_metrics import ChordTally, Declared
from coperformer.music.chord_model import grid_beat_steps
from coperformer.music.chords import VOCABULARY, chord_root, transpose_chord, tune_key

SMOOTHING = 1.0  # add-one counts for the chord-after-chord table


@dataclass(frozen=True)
class BeatConfig:
    """Training settings of the beat harmonizer."""

    steps: int = 3000
    batch: int = 512
    hidden: int = 256
    learning_rate: float = 1e-3
    weight_decay: float = 1e-4
    dropout: float = 0.3
    chord_dropout: float = 0.0  # the share of examples whose chord inputs are hidden
    seed: int = 0


def tune_examples(tune: LabelledTune) -> tuple[np.ndarray, np.ndarray]:
    """A tune's beats as the harmonizer reads them [beats, BEAT_FEATURES] and the human
    chord on each, relative to the key of the whole melody (-1: none) [beats]."""
    grid = tune.grid
    bars, beat_steps = tune.melody_bars(), grid_beat_steps(grid)
    key = tune_key(grid.melody)
    beats = tune_beats([len(bar) for bar in bars], beat_steps)
    labels = [int(tune.labels[int(grid.bar_start[b.bar]) + b.step]) for b in beats]
    relative = [-1 if label < 0 else transpose_chord(label, -key.tonic) for label in labels]
    return beat_features(bars, beats, beat_steps, key), np.asarray(relative, np.int64)


def transition_counts(tunes: list[LabelledTune]) -> np.ndarray:
    """How often each key-relative chord follows each on the next beat [V, V]."""
    counts = np.zeros((VOCABULARY, VOCABULARY))
    for tune in tunes:
        _, labels = tune_examples(tune)
        for before, after in zip(labels[:-1], labels[1:], strict=True):
            if before >= 0 and after >= 0:
                counts[before, after] += 1
    return counts


def fit_beats(x: np.ndarray, y: np.ndarray, config: BeatConfig,
              chords: tuple[slice, np.ndarray] | None = None) -> torch.nn.Sequential:
    """Adam on the cross-entropy of each beat's human chord (mini-batches); ``chords``: the
    features' chord inputs and what they read without chords (set in a
    ``config.chord_dropout`` share of each batch)."""
    torch.manual_seed(config.seed)
    net = torch.nn.Sequential(torch.nn.Linear(x.shape[1], config.hidden), torch.nn.ReLU(),
                              torch.nn.Dropout(config.dropout),
                              torch.nn.Linear(config.hidden, VOCABULARY))
    optimizer = torch.optim.Adam(net.parameters(), config.learning_rate,
                                 weight_decay=config.weight_decay)
    generator = torch.Generator().manual_seed(config.seed)
    features, target = torch.from_numpy(x), torch.from_numpy(y)
    net.train()
    for _ in range(config.steps):
        index = torch.randint(0, features.shape[0], (config.batch,), generator=generator)
        batch = features[index]
        if chords is not None and config.chord_dropout > 0:
            hidden = torch.rand(config.batch, generator=generator) < config.chord_dropout
            batch[hidden, chords[0]] = torch.from_numpy(chords[1])
        loss = torch.nn.functional.cross_entropy(net(batch), target[index])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return net.eval()


def perceptron_weights(net: torch.nn.Sequential) -> tuple[np.ndarray, ...]:
    """A network of ``fit_beats`` as numpy arrays (w1, b1, w2, b2; dropout has no
    weights)."""
    first, last = net[0], net[3]
    return (first.weight.detach().numpy().T.copy(), first.bias.detach().numpy().copy(),
            last.weight.detach().numpy().T.copy(), last.bias.detach().numpy().copy())


def export_beats(net: torch.nn.Sequential, transitions: np.ndarray) -> BeatHarmonizer:
    """The trained network as the numpy harmonizer, with the counted successions as
    smoothed log-probabilities."""
    smoothed = transitions + SMOOTHING
    return BeatHarmonizer(*perceptron_weights(net),
                          np.log(smoothed / smoothed.sum(axis=1, keepdims=True)).astype(np.float32))


def agreement(harmonizer: BeatHarmonizer, tunes: list[LabelledTune]) -> dict[str, float]:
    """The chord judge's figures of the harmonization against the human chords (every bar):
    root and chord agreement, note-in-chord, chord changes per bar beside the human one."""
    band, human = ChordTally(), ChordTally()
    for tune in tunes:
        grid = tune.grid
        changes = harmonizer.harmonize(tune.melody_bars(), grid_beat_steps(grid),
                                       tune_key(grid.melody))
        chosen = np.asarray(changes_by_step(grid.bar_start, grid.steps, changes, -1))
        people = Declared.from_labels(tune.labels)
        band.add(grid, Declared.from_labels(chosen), people, first_bar=0)
        human.add(grid, people, None, first_bar=0)
    figures = band.figures()
    return {"root": round(figures["root_agreement"], 4),
            "symbol": round(figures["symbol_agreement"], 4),
            "note_in_chord": round(figures["note_in_chord"], 4),
            "changes_per_bar": round(figures["changes_per_bar"], 3),
            "human_changes_per_bar": round(human.figures()["changes_per_bar"], 3)}


def train_beat_harmonizer(config: BeatConfig, log=print) -> tuple[BeatHarmonizer, dict]:
    """The trained harmonizer and its card section (data, settings, held-out agreement)."""
    chorales = chorale_tunes()
    examples = [tune_examples(tune) for tune in chorales["train"]]
    x = np.concatenate([features for features, _ in examples])
    y = np.concatenate([labels for _, labels in examples])
    keep = y >= 0
    net = fit_beats(x[keep], y[keep], config)
    harmonizer = export_beats(net, transition_counts(chorales["train"]))
    held_out = {part: agreement(harmonizer, chorales[part]) for part in ("validation", "test")}
    log(f"beat harmonizer: {held_out}")
    return harmonizer, {
        "data": f"{len(chorales['train'])} training chorales (the GAN's split), one example "
                f"per beat: the chord read from Bach's four voices; in the key of the whole "
                f"melody (not transposed: every input is relative to that key)",
        "objective": "cross-entropy on each beat's human chord from the melody of the "
                     f"{WINDOW_BEATS} beats on either side (not causal: offline only); the "
                     "chord-after-chord table counted on the same beats",
        "config": asdict(config), "examples": int(keep.sum()),
        "transition_weight": TRANSITION_WEIGHT,
        "held_out_agreement": held_out,
        "human_root_on_tonic": {part: round(_root_share(chorales[part]), 4)
                               for part in ("validation", "test")}}


def _root_share(tunes: list[LabelledTune]) -> float:
    """Share of labelled steps whose human chord's root is the melody key's tonic (the held
    tonic's reference)."""
    hits = total = 0
    for tune in tunes:
        tonic = tune_key(tune.grid.melody).tonic
        known = tune.labels[tune.labels >= 0]
        hits += sum(chord_root(int(label)) == tonic for label in known)
        total += known.size
    return hits / max(1, total)
