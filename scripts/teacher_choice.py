"""Tried at stop 38, not kept: the live band's next-beat model also taught by the offline
harmonizer on folk melodies (knowledge distillation, as ReaLchords distils its offline model
into its online one). The teacher is the shipped beat harmonizer (learned from Bach's chords,
seeing six beats either side); its chords on the planner's training folk collections (never
the evaluation or tuning ones) join the training chorales' human chords at a share of the
examples; optionally a style input says which is which (1: folk; set by the true set at
judging: an oracle of style, the most a style classifier could give).

Prints, per setting: the held-out validation chorales' figures against Bach's chords (the
people's chords before each beat as input), then the engine's live band (chords every beat)
on the tuning collections and the validation chorales: note-in-chord / root agreement with
the human chords / changes per bar. The rule is beat_choice.py's: the best validation root
among settings that lower no tuning collection's note-in-chord by more than 1.5 points.

    .venv/bin/python scripts/teacher_choice.py        (about 12 minutes on 2 cores)
"""

from __future__ import annotations

import dataclasses

import numpy as np
from choice_rows import setting_row

from coperformer.model import next_beat_training as N
from coperformer.model.beat_training import fit_beats, perceptron_weights
from coperformer.model.chord_data import LabelledTune, chorale_tunes
from coperformer.model.collections import PLANNER_TRAINING, collection_melodies
from coperformer.model.evaluation import collection_sets
from coperformer.model.live_engine import engine_live
from coperformer.model.store import load_chord_model, load_model
from coperformer.music import beat_chords, listening
from coperformer.music.beat_harmonizer import changes_by_step
from coperformer.music.chord_model import grid_beat_steps
from coperformer.music.chords import NO_CHORD_INDEX, tune_key
from coperformer.music.roll import grid_from_piece

SETTINGS = [(0.0, False), (0.3, False), (0.5, False), (0.7, False), (0.5, True), (0.7, True)]
# (the share of folk examples, a style input)
PER_COLLECTION = 300  # the planner's training folk melodies read per collection


def teacher_tunes(chords) -> list[LabelledTune]:
    """The training folk melodies with the offline harmonizer's chord on every step."""
    tunes = []
    for collection in PLANNER_TRAINING:
        for index, piece in enumerate(collection_melodies(collection, PER_COLLECTION)):
            grid = grid_from_piece(piece)
            bars = [grid.melody[grid.bar_slice(b)] for b in range(grid.bars)]
            changes = chords.beats.harmonize(bars, grid_beat_steps(grid), tune_key(grid.melody))
            labels = np.asarray(changes_by_step(grid.bar_start, grid.steps, changes, -1), np.int32)
            tunes.append(LabelledTune(f"{collection.name} {index}", grid, labels))
    return tunes


def with_style(x: np.ndarray, style: float) -> np.ndarray:
    """The examples with the style input appended."""
    return np.c_[x, np.full(len(x), style, np.float32)].astype(np.float32)


def main() -> None:
    """One line per setting."""
    generator, chords = load_model(None), load_chord_model()
    chorales = chorale_tunes()
    human_x, human_y = N._arrays(chorales["train"], chords.keys)
    folk_x, folk_y = N._arrays(teacher_tunes(chords), chords.keys)
    validation = N._arrays(chorales["validation"], chords.keys)
    print(f"examples: {len(human_y)} human (chorales), {len(folk_y)} taught (folk)", flush=True)
    sets = collection_sets(tuning=True)
    sets["validation chorales"] = [(t.grid, t.labels) for t in chorales["validation"]]
    span = slice(beat_chords.CHORDS_AT, beat_chords.CHORDS_AT + 2 * beat_chords.INPUT_CHORDS)
    blank = np.zeros(2 * beat_chords.INPUT_CHORDS, np.float32)
    blank[[NO_CHORD_INDEX, beat_chords.INPUT_CHORDS + NO_CHORD_INDEX]] = 1.0
    features, size = beat_chords.next_beat_features, beat_chords.NEXT_BEAT_FEATURES
    rng = np.random.default_rng(0)
    for share, styled in SETTINGS:
        count = int(len(human_y) * share / (1 - share))
        pick = rng.choice(len(folk_y), size=min(count, len(folk_y)), replace=False)
        xs = [human_x, folk_x[pick]]
        if styled:
            xs = [with_style(xs[0], 0.0), with_style(xs[1], 1.0)]
        net = fit_beats(np.concatenate(xs), np.concatenate([human_y, folk_y[pick]]),
                        N.NEXT_BEAT_CONFIG, (span, blank))
        model = beat_chords.NextBeatModel(*perceptron_weights(net))
        beat_chords.NEXT_BEAT_FEATURES = size + styled
        held = N.held_out(model, with_style(validation[0], 0.0) if styled else validation[0],
                          validation[1])
        trial = dataclasses.replace(chords, next_beat=model)
        row = []
        for name, tunes in sets.items():
            style = 0.0 if "chorales" in name else 1.0
            listening.next_beat_features = (lambda *a, s=style, **k: np.append(
                features(*a, **k), np.float32(s))) if styled else features
            row.append(setting_row({name: tunes}, lambda grid, m=trial: engine_live(
                generator, m, grid, every="beat")[1]))
        listening.next_beat_features, beat_chords.NEXT_BEAT_FEATURES = features, size
        print(f"share {share}{', style input' if styled else ''}: validation {held} | "
              + " | ".join(row), flush=True)


if __name__ == "__main__":
    main()
