"""`bench --follow`'s tune-start rows: Follow me with no count-in. The player starts the tune
on its first downbeat at a tempo of their own; the tracker starts on that note with the tempo
set in the app as a guess, off by ``GUESSES`` (alternately); the band comes in on the second
bar. Reported: its beats from the second bar on against the performer's, as the other rows.
Only melodies whose first note is on the first beat are played (a tune with a pick-up needs a
count-in: its first note is not bar 1's downbeat)."""

from __future__ import annotations

from collections.abc import Callable

from coperformer.bench.follow import (
    REPORTED,
    SCENARIOS,
    TUNING,
    Performance,
    Scenario,
    band_beats,
    beat_errors,
    gather_runs,
    perform,
)
from coperformer.model.collections import collection_melodies
from coperformer.music.beat_tracker import BeatTracker, TrackerParams
from coperformer.music.notes import Piece

Engine = Callable[[Performance, float], tuple[list[int], int | None]]
GUESSES = (0.87, 1.15)  # the tempo set against the player's: 13 % slower, 15 % faster
POOL = 8  # melodies looked at per one reported: the first that start on a downbeat


def starts_on_a_downbeat(piece: Piece) -> bool:
    """Whether a melody's first note is its first bar's downbeat (no pick-up)."""
    return bool(piece.melody) and abs(piece.melody[0].start - piece.bars[0].start) < 1e-6


def tune_start_band(perf: Performance, guess: float,
                    params: TrackerParams | None = None) -> tuple[list[int], int]:
    """The band's beats from the second bar on, the tracker started on the player's first
    note at the count-in's tempo times ``guess``, and how often it got lost."""
    first = perf.onsets[0][0]
    period_ns = (perf.count_in[-1] - perf.count_in[0]) / (len(perf.count_in) - 1)
    tracker = BeatTracker.from_first_note(60e9 / period_ns * guess, first, perf.meter, params)
    band, lost = band_beats(tracker, perf, first)
    return from_second_bar(perf, band), lost


def from_second_bar(perf: Performance, band: list[int]) -> list[int]:
    """The band's beats from the performer's second bar on (half a beat before it)."""
    per_bar = perf.meter.beats_per_bar
    second_bar = perf.beats[per_bar] - (perf.beats[per_bar] - perf.beats[per_bar - 1]) // 2
    return [b for b in band if b >= second_bar]


def tune_start_runs(pieces: list[Piece], scenario: Scenario,
                    params: TrackerParams | None = None, engine: Engine | None = None
                    ) -> list[tuple[dict, int, Performance]]:
    """(beat errors, lost events, performance) of each melody, the guesses taken in turn;
    ``engine`` (a performance and a guess -> the engine's band beats): through it instead of
    the tracker's modelled band."""
    runs = []
    for seed, piece in enumerate(pieces):
        perf = perform(piece, scenario, seed)
        guess = GUESSES[seed % len(GUESSES)]
        band, lost = engine(perf, guess) if engine else tune_start_band(perf, guess, params)
        runs.append((beat_errors(perf, from_second_bar(perf, band)), lost, perf))
    return runs


def tune_start_figures(count: int = 12, tuning: bool = False, engine: Engine | None = None
                       ) -> dict:
    """A row per scenario over the first ``count`` melodies (of ``POOL`` times as many) that
    start on a downbeat, the tracker's modelled band's, and with ``engine`` the real
    engine's."""
    collection = TUNING if tuning else REPORTED
    pieces = [p for p in collection_melodies(collection, POOL * count)
              if starts_on_a_downbeat(p)][:count]
    out: dict = {"tune_start_melodies": f"{len(pieces)} starting on a downbeat, the tempo set "
                                        f"x{GUESSES[0]} / x{GUESSES[1]} of the player's"}
    for scenario in SCENARIOS:
        out[f"{scenario.name}_tune_start"] = gather_runs(tune_start_runs(pieces, scenario))
        if engine:
            out[f"{scenario.name}_tune_start_engine"] = gather_runs(
                tune_start_runs(pieces, scenario, engine=engine))
    return out
