"""Train the live band's next-beat chord model (music/beat_chords.py) on the training
chorales' human chords: one example per beat, cross-entropy on the chord Bach wrote on it
from what was heard before it (the melody up to the beat, in the key heard so far; the human
chords of the two beats before, sometimes hidden so that the model does not lean on them).
Figures: held-out cross-entropy, top-1 and root top-1 against the human chords (never a
figure of `coperformer evaluate`, which is never a target)."""

from __future__ import annotations

from dataclasses import asdict

import numpy as np

from coperformer.model.beat_training import BeatConfig, fit_beats, perceptron_weights
from coperformer.model.chord_data import LabelledTune, chorale_tunes
from coperformer.music.beat_chords import (
    CHORDS_AT,
    INPUT_CHORDS,
    NEXT_BEAT_FEATURES,
    PAST_BEATS,
    Frame,
    NextBeatModel,
    beat_starts,
    next_beat_features,
)
from coperformer.music.beat_harmonizer import tune_beats
from coperformer.music.chord_model import MEMORY_BARS, grid_beat_steps, heard_key
from coperformer.music.chords import NO_CHORD_INDEX, chord_root, transpose_chord
from coperformer.music.key_finder import KeyFinder
from coperformer.music.roll import REST

NEXT_BEAT_CONFIG = BeatConfig(steps=4000, hidden=512, chord_dropout=0.5)  # (the settings
# tried and the rule that chose them: docs/model-notes.md, Attempt 10)


def tune_examples(tune: LabelledTune, finder: KeyFinder) -> tuple[np.ndarray, np.ndarray]:
    """Each beat heard after a note [n, NEXT_BEAT_FEATURES] and its human chord relative to
    the key heard before it [n]; only beats whose chord is known."""
    grid = tune.grid
    bars, beat_steps = tune.melody_bars(), grid_beat_steps(grid)
    beats = tune_beats([len(bar) for bar in bars], beat_steps)
    starts = beat_starts([len(bar) for bar in bars], beat_steps)
    labels = [int(tune.labels[at]) for at in starts]
    chords = [None if label < 0 else label for label in labels]
    features, targets = [], []
    for index, (beat, at) in enumerate(zip(beats, starts, strict=True)):
        first = int(grid.bar_start[max(0, beat.bar - MEMORY_BARS)])
        if labels[index] < 0 or not (grid.melody[first:at] != REST).any():
            continue
        recent = [bar for bar in bars[max(0, beat.bar - MEMORY_BARS):beat.bar]
                  + [bars[beat.bar][:beat.step]] if bar.size]
        heard = heard_key(recent, finder)
        frame = Frame(heard.key.tonic, heard.key.minor, heard.margin)
        before = (chords[index - 1] if index else None, chords[index - 2] if index > 1 else None)
        features.append(next_beat_features(grid.melody[first:at],
                                           [s - first for s in starts[:index] if s >= first],
                                           beat.position, frame, before))
        targets.append(transpose_chord(labels[index], -heard.key.tonic))
    return (np.asarray(features, np.float32).reshape(-1, NEXT_BEAT_FEATURES),
            np.asarray(targets, np.int64))


def _arrays(tunes: list[LabelledTune], finder: KeyFinder) -> tuple[np.ndarray, np.ndarray]:
    pairs = [tune_examples(tune, finder) for tune in tunes]
    return np.concatenate([x for x, _ in pairs]), np.concatenate([y for _, y in pairs])


def held_out(model: NextBeatModel, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Cross-entropy, top-1 and root top-1 of the model's next-beat chord against the human
    one (the human chords before it as its input)."""
    log_probs = model.log_probs(x)
    best = log_probs.argmax(axis=1)
    roots = np.asarray([chord_root(int(c)) for c in best]) == \
        np.asarray([chord_root(int(c)) for c in y])
    return {"cross_entropy": round(float(-log_probs[np.arange(len(y)), y].mean()), 4),
            "top1": round(float((best == y).mean()), 4),
            "root_top1": round(float(roots.mean()), 4), "examples": int(len(y))}


def train_next_beat(finder: KeyFinder, config: BeatConfig = NEXT_BEAT_CONFIG,
                    log=print) -> tuple[NextBeatModel, dict]:
    """The trained model and its card section (data, settings, held-out figures)."""
    chorales = chorale_tunes()
    x, y = _arrays(chorales["train"], finder)
    span = slice(CHORDS_AT, CHORDS_AT + 2 * INPUT_CHORDS)
    blank = np.zeros(2 * INPUT_CHORDS, np.float32)
    blank[[NO_CHORD_INDEX, INPUT_CHORDS + NO_CHORD_INDEX]] = 1.0  # two beats without a chord
    net = fit_beats(x, y, config, (span, blank))
    model = NextBeatModel(*perceptron_weights(net))
    figures = {part: held_out(model, *_arrays(chorales[part], finder))
               for part in ("validation", "test")}
    log(f"next-beat model: {figures}")
    return model, {
        "data": f"{len(chorales['train'])} training chorales (the GAN's split), one example "
                f"per beat: the chord read from Bach's four voices, in the key heard before it",
        "objective": f"cross-entropy on each beat's human chord from the {PAST_BEATS} beats "
                     "heard before it, the melody so far, the beat's place and the human chords "
                     "of the two beats before (hidden in a share of the examples; causal: the "
                     "live band's)",
        "config": asdict(config), "examples": int(len(y)), "held_out": figures}
