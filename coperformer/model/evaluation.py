"""Evaluation: the model (offline and live), real Bach and rule baselines, measured alike."""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np

from coperformer.model.live_engine import engine_live, engine_offline
from coperformer.music.baselines import (
    held_tonic_chords,
    previous_bar_chords,
    same_bar_chords,
    voiced,
)
from coperformer.music.chord_metrics import ChordTally, Declared
from coperformer.music.chord_model import ChordModel
from coperformer.music.chords import bar_chord, chord_pitch_classes
from coperformer.music.features import BarGenerator
from coperformer.music.listening import DEFAULT_ADVENTURE
from coperformer.music.metrics import measure
from coperformer.music.roll import Grid, grid_from_piece

PER_COLLECTION = 30
CHORALES = "test chorales"
AVERAGE = "average over the collections"
LIVE = "GAN live (listening)"  # the engine's session, in virtual time
OFFLINE = "GAN offline"
HUMAN = "human labels"
GUARDS = ("chord_fit", "clash")
FIGURES = ("note_in_chord", "root_agreement", "symbol_agreement", "changes_per_bar",
           "degree_tv", "v_share", "final_cadence", "phrase_cadence", "first_in_key") + GUARDS
Tune = tuple[Grid, np.ndarray | None]  # a melody's grid and its human chord per step, if any
Run = Callable[[Grid], tuple[Grid, Declared]]


def labelled_sets() -> dict[str, list[Tune]]:
    """The held-out tunes with human chords: the test chorales (their four voices labelled)
    and the chord-symbol tunes."""
    from coperformer.model.chord_data import LEAD_SHEET_SET, chorale_tunes, lead_sheet_tunes

    return {CHORALES: [(t.grid, t.labels) for t in chorale_tunes()["test"]],
            LEAD_SHEET_SET: [(t.grid, t.labels) for t in lead_sheet_tunes()]}


def collection_sets(tuning: bool = False, count: int = PER_COLLECTION) -> dict[str, list[Tune]]:
    """The out-of-style evaluation collections (or, with ``tuning``, the tuning ones); no
    human chords."""
    from coperformer.model.collections import EVALUATION, TUNING, collection_melodies

    chosen = TUNING if tuning else EVALUATION
    return {c.name: [(grid_from_piece(p), None) for p in collection_melodies(c, count)]
            for c in chosen}


def melody_only(grid: Grid) -> Grid:
    """A copy of a grid with the band removed."""
    out = copy.deepcopy(grid)
    out.band[:] = -1
    out.band_onset[:] = False
    return out


def _rule(chooser: Callable[[Grid], list]) -> Run:
    def run(grid: Grid) -> tuple[Grid, Declared]:
        triads = chooser(grid)
        declared = Declared.empty(grid.steps)
        for bar, triad in enumerate(triads):
            if triad:
                declared.set(grid.bar_slice(bar), triad[0], triad)
        return voiced(melody_only(grid), triads), declared
    return run


def systems(model: BarGenerator | None, seed: int, chords: ChordModel | None = None,
            adventure: float = DEFAULT_ADVENTURE) -> dict[str, Run]:
    """Every system under test: a grid -> the accompanied grid and its declared chords."""
    out: dict[str, Run] = {}
    if model is not None and chords is not None:
        out[OFFLINE] = lambda grid: engine_offline(model, chords, grid, seed, adventure)
        out[LIVE] = lambda grid: engine_live(model, chords, grid, seed, adventure)
    out["held tonic"] = _rule(held_tonic_chords)
    out["same-bar triad"] = _rule(same_bar_chords)
    out["previous-bar triad"] = _rule(previous_bar_chords)
    return out


def _human(grid: Grid, labels: np.ndarray) -> tuple[Grid, Declared]:
    """The human chords as a band (one triad per bar, the bar's longest chord) and as
    declared per step."""
    triads = [None if (c := bar_chord(labels[grid.bar_slice(b)])) is None
              else chord_pitch_classes(c)[:3] for b in range(grid.bars)]
    return voiced(melody_only(grid), triads), Declared.from_labels(labels)


def _measure(tunes: list[Tune], run: Run | None, human_degrees: np.ndarray | None) -> dict:
    """One system's figures on a set (``run`` None: the human labels themselves)."""
    tally, grids = ChordTally(), []
    for grid, labels in tunes:
        out, declared = run(grid) if run is not None else _human(grid, labels)
        tally.add(grid, declared, None if labels is None else Declared.from_labels(labels))
        grids.append(out)
    guards = measure(grids)
    return {**tally.figures(human_degrees), **{k: guards[k] for k in GUARDS},
            "degrees": tally.degree_shares()}


def human_degrees(sets: dict[str, list[Tune]]) -> np.ndarray:
    """The degree histogram of every human chord in the labelled sets (beats)."""
    tally = ChordTally()
    for tunes in sets.values():
        for grid, labels in tunes:
            if labels is not None:
                tally.add(grid, Declared.from_labels(labels), None)
    return tally.degrees / max(1.0, tally.degrees.sum())


def evaluate(model: BarGenerator | None, sets: dict[str, list[Tune]], seed: int = 0,
             chords: ChordModel | None = None, adventure: float = DEFAULT_ADVENTURE,
             ) -> dict[str, dict[str, dict]]:
    """Figures per set and system (the human labels too where a set has them), and their
    average over the unlabelled collections; degree_tv against the set's own human chords,
    else against every labelled tune's."""
    pooled = human_degrees(sets)
    results: dict[str, dict[str, dict]] = {}
    for set_name, tunes in sets.items():
        labelled = all(labels is not None for _, labels in tunes)
        reference = human_degrees({set_name: tunes}) if labelled else pooled
        table = {name: _measure(tunes, run, reference)
                 for name, run in systems(model, seed, chords, adventure).items()}
        if labelled:
            table[HUMAN] = _measure(tunes, None, reference)
        results[set_name] = table
    collections = [t for t in results.values() if HUMAN not in t]
    if collections:
        results[AVERAGE] = {system: {k: float(np.mean([t[system][k] for t in collections]))
                                     for k in FIGURES} for system in collections[0]}
    return results


CARD_FIGURES = ("note_in_chord", "root_agreement", "v_share", "clash")


def card_results(results: dict[str, dict[str, dict]]) -> dict[str, dict[str, dict]]:
    """The headline figures of each set and system, rounded, for a model's card (which must
    stay under its 64 KB; the whole table goes to --json and docs/evaluation.json)."""
    return {name: {system: {key: round(float(figures[key]), 3) for key in CARD_FIGURES
                            if key in figures and figures[key] == figures[key]}
                   for system, figures in table.items()}
            for name, table in results.items()}


def markdown_table(results: dict[str, dict[str, dict]]) -> str:
    """The results as markdown tables, one per set, and the degree histograms."""
    lines = []
    for set_name, table in results.items():
        lines += [f"### {set_name}", "", "| system | " + " | ".join(FIGURES) + " |",
                  "|---" * (len(FIGURES) + 1) + "|"]
        for system, figures in table.items():
            cells = " | ".join(_fmt(k, figures[k]) for k in FIGURES)
            lines.append(f"| {system} | {cells} |")
        lines.append("")
        if set_name != AVERAGE:
            lines += _degree_table(table)
    return "\n".join(lines)


def _degree_table(table: dict[str, dict]) -> list[str]:
    names = list(next(iter(table.values()))["degrees"])
    lines = ["| degrees (share of beats) | " + " | ".join(names) + " |",
             "|---" * (len(names) + 1) + "|"]
    for system, figures in table.items():
        lines.append(f"| {system} | "
                     + " | ".join(f"{100 * figures['degrees'][n]:.0f}" for n in names) + " |")
    return lines + [""]


def _fmt(key: str, value: float) -> str:
    if np.isnan(value):
        return "—"
    if key in ("changes_per_bar", "degree_tv"):
        return f"{value:.2f}"
    return f"{100 * value:.1f} %"


def goals(results: dict[str, dict[str, dict]]) -> dict[str, bool]:
    """The chord issue's goals on every set (the labelled ones: agreement with people too)."""
    ok: dict[str, bool] = {}
    for name, t in results.items():
        if LIVE not in t or name == AVERAGE:
            continue
        live, tonic = t[LIVE], t["held tonic"]
        nic = 100 * (live["note_in_chord"] - tonic["note_in_chord"])
        ok[f"{name}: live note-in-chord >= held tonic + 8 ({nic:+.1f})"] = nic >= 8.0
        same = 100 * (live["note_in_chord"] - t["same-bar triad"]["note_in_chord"])
        ok[f"{name}: live note-in-chord >= same-bar rule ({same:+.1f})"] = same >= 0.0
        ok[f"{name}: live degree TV <= 0.15 ({live['degree_tv']:.2f})"] = live["degree_tv"] <= 0.15
        ok[f"{name}: live V >= 12 % ({100 * live['v_share']:.0f} %)"] = live["v_share"] >= 0.12
        if HUMAN in t:
            root = 100 * (live["root_agreement"] - tonic["root_agreement"])
            ok[f"{name}: live root >= held tonic + 10 ({root:+.1f})"] = root >= 10.0
            off = 100 * (t[OFFLINE]["note_in_chord"] - t[HUMAN]["note_in_chord"])
            ok[f"{name}: offline note-in-chord >= human - 3 ({off:+.1f})"] = off >= -3.0
            agree = 100 * t[OFFLINE]["root_agreement"]
            ok[f"{name}: offline root agreement >= 75 % ({agree:.0f} %)"] = agree >= 75.0
    return ok
