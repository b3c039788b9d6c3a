"""Evaluation: the model (offline and live), real Bach and rule baselines, measured alike."""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np

from coperformer.model import dataset as D
from coperformer.music import features as F
from coperformer.music.accompany import BarGenerator, accompany_grid
from coperformer.music.baselines import previous_bar_triads, same_bar_triads
from coperformer.music.metrics import FIGURES, measure
from coperformer.music.roll import Grid, grid_from_piece

FOLK_COUNT = 40


def grids_from_barset(bars: D.BarSet) -> list[Grid]:
    """Rebuild one grid per piece from cached bar slots (the real band included)."""
    grids = []
    for number in range(len(bars.names)):
        index = np.nonzero(bars.piece == number)[0]
        grids.append(_grid_from_slots(bars.slots.take(index)))
    return grids


def _grid_from_slots(slots: F.BarSlots) -> Grid:
    lengths = slots.valid.sum(axis=1).astype(np.int32)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int32)
    keep = slots.valid
    return Grid(
        melody=slots.melody[keep], melody_onset=slots.melody_onset[keep],
        band=np.concatenate([slots.band[b][:, keep[b]] for b in range(len(lengths))], axis=1),
        band_onset=np.concatenate([slots.band_onset[b][:, keep[b]] for b in range(len(lengths))],
                                  axis=1),
        bar_start=starts, bar_len=lengths, meter_code=slots.meter.copy(),
    )


def test_chorales() -> list[Grid]:
    """The held-out test chorales (never seen in training)."""
    bars, _ = D.load_corpus("bach")
    split = D.split_names(bars.names)
    return grids_from_barset(bars.subset(split["test"]))


def folk_grids(count: int = FOLK_COUNT) -> list[Grid]:
    """Out-of-style melodies: folk songs from music21's Essen collection."""
    from coperformer.model.corpus import folk_melodies

    return [grid_from_piece(p) for p in folk_melodies(count)]


def melody_only(grid: Grid) -> Grid:
    """A copy of a grid with the band removed."""
    out = copy.deepcopy(grid)
    out.band[:] = -1
    out.band_onset[:] = False
    return out


def systems(model: BarGenerator | None, seed: int) -> dict[str, Callable[[Grid], Grid]]:
    """Every system under test, each a function from a grid to an accompanied grid."""
    out: dict[str, Callable[[Grid], Grid]] = {}
    if model is not None:
        out["GAN offline"] = lambda g: accompany_grid(model, melody_only(g), "offline", seed)
        out["GAN live"] = lambda g: accompany_grid(model, melody_only(g), "live", seed)
    out["same-bar triad"] = lambda g: same_bar_triads(melody_only(g))
    out["previous-bar triad"] = lambda g: previous_bar_triads(melody_only(g))
    return out


def evaluate(model: BarGenerator | None, sets: dict[str, list[Grid]], seed: int = 0,
             ) -> dict[str, dict[str, dict[str, float]]]:
    """Figures per set and system; real Bach is measured on the chorale set only."""
    results: dict[str, dict[str, dict[str, float]]] = {}
    for set_name, grids in sets.items():
        table = {name: measure([run(g) for g in grids])
                 for name, run in systems(model, seed).items()}
        if set_name == "test chorales":
            table["real Bach"] = measure(grids)
        results[set_name] = table
    return results


def markdown_table(results: dict[str, dict[str, dict[str, float]]]) -> str:
    """The results as markdown tables, one per set."""
    lines = []
    for set_name, table in results.items():
        lines += [f"### {set_name}", "", "| system | " + " | ".join(FIGURES) + " |",
                  "|---" * (len(FIGURES) + 1) + "|"]
        for system, figures in table.items():
            cells = " | ".join(_fmt(k, figures[k]) for k in FIGURES)
            lines.append(f"| {system} | {cells} |")
        lines.append("")
    return "\n".join(lines)


def _fmt(key: str, value: float) -> str:
    if key in ("polyphony", "onsets_per_bar"):
        return f"{value:.2f}"
    return f"{100 * value:.1f} %"


def goals(results: dict[str, dict[str, dict[str, float]]], set_name: str) -> dict[str, bool]:
    """The issue's bars on one set: beat the baselines, 6-14 onsets, >= 90 % distinct bars."""
    t = results[set_name]
    ok = {
        "offline beats same-bar on harmonic agreement":
            t["GAN offline"]["harmonic_agreement"] > t["same-bar triad"]["harmonic_agreement"],
        "live beats previous-bar on harmonic agreement":
            t["GAN live"]["harmonic_agreement"] > t["previous-bar triad"]["harmonic_agreement"],
    }
    for system in ("GAN offline", "GAN live"):
        ok[f"{system}: 6-14 onsets per bar"] = 6 <= t[system]["onsets_per_bar"] <= 14
        ok[f"{system}: >= 90 % distinct bars"] = t[system]["distinct_bars"] >= 0.9
    return ok
