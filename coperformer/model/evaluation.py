"""Evaluation: the model (offline and live), real Bach and rule baselines, measured alike."""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np

from coperformer.model import dataset as D
from coperformer.music import features as F
from coperformer.music.accompany import BarGenerator, accompany_grid
from coperformer.music.baselines import held_tonic, previous_bar_triads, same_bar_triads
from coperformer.music.listening import DEFAULT_ADVENTURE, HarmonyPlanner, RewardModel
from coperformer.music.metrics import FIGURES, measure
from coperformer.music.roll import Grid, grid_from_piece

PER_COLLECTION = 30
HELD_OUT = {  # a style's corpus: (its held-out test set's name, its real band's name)
    "bach": ("test chorales", "real Bach"),
    "palestrina": ("test Palestrina sections", "real Palestrina"),
}
CHORALES = HELD_OUT["bach"][0]
REAL_BANDS = dict(HELD_OUT.values())
AVERAGE = "average over the collections"
LIVE = "GAN live (listening)"


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
    return held_out_grids("bach")


def held_out_grids(corpus: str) -> list[Grid]:
    """A corpus's held-out test pieces (never seen in training), with their real band."""
    bars, _ = D.load_corpus(corpus)
    split = D.corpus_split(corpus, bars.names)
    return grids_from_barset(bars.subset(split["test"]))


def held_out_set(corpus: str) -> dict[str, list[Grid]]:
    """{name: grids} of the held-out set of the corpus a style was trained on ({} for a
    corpus without one here)."""
    if corpus not in HELD_OUT:
        return {}
    return {HELD_OUT[corpus][0]: held_out_grids(corpus)}


def collection_sets(tuning: bool = False, count: int = PER_COLLECTION) -> dict[str, list[Grid]]:
    """The out-of-style evaluation collections (or, with ``tuning``, the tuning ones)."""
    from coperformer.model.collections import EVALUATION, TUNING, collection_melodies

    chosen = TUNING if tuning else EVALUATION
    return {c.name: [grid_from_piece(p) for p in collection_melodies(c, count)] for c in chosen}


def melody_only(grid: Grid) -> Grid:
    """A copy of a grid with the band removed."""
    out = copy.deepcopy(grid)
    out.band[:] = -1
    out.band_onset[:] = False
    return out


def systems(model: BarGenerator | None, seed: int, reward: RewardModel | None = None,
            adventure: float = DEFAULT_ADVENTURE) -> dict[str, Callable[[Grid], Grid]]:
    """Every system under test, each a function from a grid to an accompanied grid."""
    out: dict[str, Callable[[Grid], Grid]] = {}
    if model is not None:
        out["GAN offline"] = lambda g: accompany_grid(model, melody_only(g), "offline", seed)
        if reward is not None:
            out[LIVE] = lambda g: accompany_grid(model, melody_only(g), "live", seed,
                                                 HarmonyPlanner(reward, adventure))
        out["GAN live (unplanned)"] = lambda g: accompany_grid(model, melody_only(g), "live",
                                                                seed)
    out["held tonic"] = lambda g: held_tonic(melody_only(g))
    out["same-bar triad"] = lambda g: same_bar_triads(melody_only(g))
    out["previous-bar triad"] = lambda g: previous_bar_triads(melody_only(g))
    return out


def evaluate(model: BarGenerator | None, sets: dict[str, list[Grid]], seed: int = 0,
             reward: RewardModel | None = None, adventure: float = DEFAULT_ADVENTURE,
             ) -> dict[str, dict[str, dict[str, float]]]:
    """Figures per set and system, and their average over the non-chorale sets."""
    results: dict[str, dict[str, dict[str, float]]] = {}
    for set_name, grids in sets.items():
        table = {name: measure([run(g) for g in grids])
                 for name, run in systems(model, seed, reward, adventure).items()}
        if set_name in REAL_BANDS:
            table[REAL_BANDS[set_name]] = measure(grids)
        results[set_name] = table
    collections = [t for name, t in results.items() if name not in REAL_BANDS]
    if collections:
        results[AVERAGE] = {system: {k: float(np.mean([t[system][k] for t in collections]))
                                     for k in FIGURES} for system in collections[0]}
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
    if key in ("polyphony", "onsets_per_bar", "chord_variety"):
        return f"{value:.2f}"
    return f"{100 * value:.1f} %"


def goals(results: dict[str, dict[str, dict[str, float]]]) -> dict[str, bool]:
    """The listening-band issue's goals on every collection and on the average."""
    ok: dict[str, bool] = {}
    names = [n for n in results if n not in REAL_BANDS]
    for name in names:
        t = results[name]
        if LIVE not in t:
            continue
        margin = 8.0 if name == AVERAGE else 4.0
        gain = 100 * (t[LIVE]["harmonic_agreement"] - t["held tonic"]["harmonic_agreement"])
        ok[f"{name}: live >= held tonic + {margin:.0f} ({gain:+.1f})"] = gain >= margin
        offline = 100 * (t["GAN offline"]["harmonic_agreement"]
                         - t["same-bar triad"]["harmonic_agreement"])
        ok[f"{name}: offline >= same-bar + 5 ({offline:+.1f})"] = offline >= 5.0
        ok[f"{name}: live chord variety >= same-bar's"] = (
            t[LIVE]["chord_variety"] >= t["same-bar triad"]["chord_variety"])
        ok[f"{name}: live >= 90 % distinct bars"] = t[LIVE]["distinct_bars"] >= 0.9
        ok[f"{name}: live 6-14 onsets per bar"] = 6 <= t[LIVE]["onsets_per_bar"] <= 14
    return ok
