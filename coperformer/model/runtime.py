"""A loaded band model: load, describe, warm up, generate bars (the backend runs the network:
TorchScript, or numpy while torch is still being imported)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coperformer.common.errors import first_line
from coperformer.model.backends import (
    AGREEMENT_TOLERANCE,
    Backend,
    NumpyBackend,
    TorchScriptBackend,
    largest_difference,
)
from coperformer.model.decoding import (
    BandBar,
    best_fitting,
    chord_mask,
    decode_bar,
    live_unit,
    offline_masks,
)
from coperformer.model.errors import ModelError
from coperformer.model.trust import model_bytes
from coperformer.music import features as F
from coperformer.music.chord_type import Chord
from coperformer.music.meter import MAX_BAR_STEPS

SUPPORTED_FORMAT = 1
OFFLINE_DRAWS = 4  # offline: noise draws in one call, the best fit to the heard bar wins
LIVE_REDRAWS = 4  # a planned live bar drawn again (same call's output) while it repeats


SPEED_CALLS = 9  # live bars timed for a model's speed (their median)
SPEED_MIN_CALLS = 3  # however long they take
SPEED_WARM_CALLS = 2  # and bars run before, untimed
SPEED_BUDGET_S = 0.5  # wall time after which no more bars are timed (past the minimum)
DUMMY_CHORD = Chord((0, 4, 7), 0)


@dataclass(frozen=True)
class _OfflineCall:
    """The last offline bar voiced on a chord: its inputs and the winning draw's logits."""

    inputs: bytes
    pitch_logits: np.ndarray
    onset_logits: np.ndarray


def _drawn(inputs: tuple, draws: int, rng: np.random.Generator) -> tuple:
    """A call's inputs repeated for ``draws`` noise draws, the noise last."""
    noise = rng.standard_normal((draws, F.NOISE_SIZE)).astype(np.float32)
    return tuple(np.repeat(x.astype(np.float32, copy=False), draws, axis=0)
                 for x in inputs) + (noise,)


def _dummy_bar() -> tuple[F.BarSlots, F.BarSlots, np.ndarray, np.random.Generator]:
    """An empty context, bar and profile, and a seeded generator: a bar to warm up on."""
    empty = F.empty_slots(1 + F.CONTEXT_BARS)
    return (empty.take(np.arange(F.CONTEXT_BARS)), empty.take(np.array([0])),
            np.zeros(F.PROFILE_SIZE, np.float32), np.random.default_rng(0))


class BandModel:
    """A loaded generator: feed bar slots, get band bars back (single CPU thread).

    Thread rules: load it on any thread; then one thread at a time generates (the live
    worker, or the offline loop). The metadata properties may be read from any thread.
    """

    def __init__(self, path: str | Path, threads: int = 1, quick_start: bool = False,
                 data: bytes | None = None, deadline_s: float | None = None):
        """Load the model from ``data`` (the file's bytes, as the store read and checked them;
        read from ``path`` now when not given: a test's or a benchmark's own file); with
        ``deadline_s``, a TorchScript call that never answers is abandoned (backends.py)."""
        self.path, self._deadline_s = Path(path), deadline_s
        self._data = model_bytes(path) if data is None else data  # every backend runs these
        self._threads = threads
        self._backend: Backend = self._first_backend(quick_start)
        self._handover = threading.Lock()  # one hand-over at a time (two loader threads)
        try:
            self.metadata = json.loads(self._backend.metadata_json)
        except ValueError as exc:
            raise ModelError(f"{self.path}: not a coperformer model ({first_line(exc)})"
                             ) from exc
        if not isinstance(self.metadata, dict) \
                or self.metadata.get("format") != SUPPORTED_FORMAT:
            found = self.metadata.get("format") if isinstance(self.metadata, dict) else None
            raise ModelError(f"{self.path}: unsupported model format {found}")
        names, programs = self.metadata.get("track_names"), self.metadata.get("gm_programs")
        if not (isinstance(names, list) and isinstance(programs, list)
                and len(names) == len(programs) == F.BAND_VOICES):
            raise ModelError(f"{self.path}: the model's metadata does not name "
                             f"{F.BAND_VOICES} band voices and their programs")
        self.bar_ms = 0.0  # a live bar's time (ms), measured by measure_speed
        self._last_offline: _OfflineCall | None = None  # the generator worker's only

    def _first_backend(self, quick_start: bool) -> Backend:
        """numpy for a quick start when the file holds the standard generator, else
        TorchScript."""
        if quick_start:
            try:
                return NumpyBackend(self.path, self._data)
            except Exception:  # noqa: BLE001 - another layout or an odd archive: TorchScript
                pass  # reads it, and says why when it cannot
        return TorchScriptBackend(self.path, self._data, self._threads, self._deadline_s)

    @property
    def runtime(self) -> str:
        """The backend generating bars now: "TorchScript" or "numpy" (any thread)."""
        return self._backend.name

    def adopt_torchscript(self) -> float:
        """Hand the model over to its TorchScript module: load it, warm it up and compare it
        with the numpy pass that runs meanwhile; the worker's next bar uses it. Returns the
        largest relative difference of their logits; ModelError when it exceeds the
        tolerance (TorchScript, the reference, takes over anyway). A helper thread; the worker
        goes on with the numpy pass meanwhile (the comparison runs a numpy pass of its own)."""
        with self._handover:
            if self._backend.name == TorchScriptBackend.name:
                return 0.0
            torchscript = TorchScriptBackend(self.path, self._data, self._threads,
                                             self._deadline_s)
            difference = largest_difference(NumpyBackend(self.path, self._data), torchscript,
                                            (1, OFFLINE_DRAWS))
            self._backend = torchscript  # one assignment: the worker reads it once per bar
        if difference > AGREEMENT_TOLERANCE:
            raise ModelError(f"{self.path}: the numpy start and TorchScript disagree "
                             f"(relative logit difference {difference:.1e})")
        return difference

    @property
    def track_names(self) -> list[str]:
        """Names of the band voices, top to bottom."""
        return list(self.metadata["track_names"])

    @property
    def programs(self) -> list[int]:
        """GM programs (0-based) of the band voices."""
        return list(self.metadata["gm_programs"])

    def warm_up(self, rounds: int = 24) -> None:
        """Run a few dummy bars so the first real bar is not slow (TorchScript optimizes each
        batch size on its first calls: offline draws, live bars, planned live bars), then
        measure a live bar's time (``bar_ms``). The thread that owns the model."""
        context, current, profile, rng = _dummy_bar()
        for round_ in range(rounds):  # every batch size TorchScript will see, every decoder
            kind = round_ % 3
            self.generate(context, current, kind == 0, rng, profile,
                          DUMMY_CHORD if kind == 2 else None)
        self.measure_speed()

    def _cpu_ns(self) -> int:
        """This thread's CPU time and its backend's own thread's (a guarded module's)."""
        return time.thread_time_ns() + getattr(self._backend, "worker_cpu_ns", 0)

    def measure_speed(self, calls: int = SPEED_CALLS, warm: int = SPEED_WARM_CALLS,
                      budget_s: float = SPEED_BUDGET_S) -> float:
        """A live bar's time in ms, measured now: ``warm`` bars untimed (caches, a backend just
        handed over), then the median of ``calls`` timed ones (fewer, but at least
        SPEED_MIN_CALLS, once ``budget_s`` of wall time is spent), each on this thread's CPU
        clock: a wait for the interpreter (another thread importing torch) or for a core
        (another program) is not the model's speed, nor is one slow call (the median). Kept
        in ``bar_ms`` (the thread that owns the model; no jam may be generating with it)."""
        context, current, profile, rng = _dummy_bar()
        for _ in range(warm):
            self.generate(context, current, False, rng, profile, DUMMY_CHORD)
        deadline, samples = time.perf_counter() + budget_s, []
        while len(samples) < calls and (len(samples) < SPEED_MIN_CALLS
                                        or time.perf_counter() < deadline):
            started = self._cpu_ns()
            self.generate(context, current, False, rng, profile, DUMMY_CHORD)
            samples.append((self._cpu_ns() - started) / 1e6)
        self.bar_ms = float(np.median(samples))
        return self.bar_ms

    def _offline_chord_bar(self, inputs: tuple, current: F.BarSlots, rng: np.random.Generator,
                           chord: Chord) -> BandBar:
        """An offline bar on a declared chord (a chart's or the harmonizer's): the best fit of
        OFFLINE_DRAWS draws; the same bar on a new chord (the chord changed inside it) voices
        the draw that won, from the same logits, with no second call."""
        digest = b"".join(np.ascontiguousarray(x).tobytes() for x in inputs)
        last = self._last_offline
        mask = chord_mask(chord)
        if last is not None and last.inputs == digest:
            return decode_bar(last.pitch_logits, last.onset_logits, current.valid[0], 1, mask,
                              rng)
        pitch_logits, onset_logits = self._call(_drawn(inputs, OFFLINE_DRAWS, rng),
                                                OFFLINE_DRAWS)
        bars = [decode_bar(pitch_logits[d], onset_logits[d], current.valid[0], 1, mask, rng)
                for d in range(OFFLINE_DRAWS)]
        best = best_fitting(bars, current)
        self._last_offline = _OfflineCall(digest, pitch_logits[best], onset_logits[best])
        return bars[best]

    def _call(self, inputs: tuple, draws: int) -> tuple[np.ndarray, np.ndarray]:
        """The backend's answer, checked: pitch logits [draws, voices, classes, steps] and onset
        logits [draws, voices, steps]; ModelError for anything else."""
        try:
            pitch_logits, onset_logits = self._backend(*inputs)
        except Exception as exc:  # noqa: BLE001 - whatever a foreign module raises
            raise ModelError(f"{self.path}: the model failed on a bar ({type(exc).__name__}: "
                             f"{first_line(exc)})") from exc
        voices = len(self.track_names)
        if not (tuple(pitch_logits.shape) == (draws, voices, F.BAND_CLASSES, MAX_BAR_STEPS)
                and tuple(onset_logits.shape) == (draws, voices, MAX_BAR_STEPS)):
            raise ModelError(f"{self.path}: the model answers in the wrong shape (want pitch "
                             f"logits [{draws}, {voices}, {F.BAND_CLASSES}, {MAX_BAR_STEPS}] and "
                             f"onset logits [{draws}, {voices}, {MAX_BAR_STEPS}])")
        return pitch_logits, onset_logits

    def time_model_call(self, calls: int) -> list[float]:
        """Milliseconds of the backend's call alone (one live bar, batch 1), ``calls`` times;
        for the benchmark (the thread that owns the model)."""
        empty = F.empty_slots(1 + F.CONTEXT_BARS)
        inputs = (F.context_features(empty.take(np.arange(F.CONTEXT_BARS)), 1),
                  np.zeros((1, F.MELODY_CHANNELS, MAX_BAR_STEPS), np.float32),
                  F.meter_features(empty.meter[:1]), np.zeros((1, 1), np.float32),
                  np.zeros((1, F.PROFILE_SIZE), np.float32),
                  np.zeros((1, F.NOISE_SIZE), np.float32))
        samples = []
        for _ in range(calls):
            started = time.perf_counter_ns()
            self._backend(*inputs)
            samples.append((time.perf_counter_ns() - started) / 1e6)
        return samples

    def generate(self, context: F.BarSlots, current: F.BarSlots, offline: bool,
                 rng: np.random.Generator, profile: np.ndarray,
                 chord: Chord | None = None, avoid: frozenset[bytes] = frozenset(),
                 ) -> BandBar:
        """The band for the current bar from the past bars (and its melody if offline).

        ``profile`` is the normalized pitch-class profile of the whole melody before this bar.
        A planned ``chord`` (live mode) keeps the GAN's rhythm, register and voice leading but
        lets each note take only the chord's pitch classes (the bass only the chord's bass);
        its notes are drawn from the model's distribution, and drawn again (up to LIVE_REDRAWS
        times, from the same call) while the bar's ``key()`` is in ``avoid`` (bars played
        lately), so the band does not loop.
        Called from the generator worker only.
        """
        melody = F.melody_features(current)
        if not offline:
            melody[:, :-1] = 0.0
        inputs = (
            F.context_features(context, 1),
            melody,
            F.meter_features(current.meter),
            np.array([[1.0 if offline else 0.0]], np.float32),
            np.asarray(profile, np.float32).reshape(1, F.PROFILE_SIZE),
        )
        if offline and chord is not None:
            return self._offline_chord_bar(inputs, current, rng, chord)
        draws = OFFLINE_DRAWS if offline else 1
        pitch_logits, onset_logits = self._call(_drawn(inputs, draws, rng), draws)
        if offline:
            masks = offline_masks(current, profile, draws)
            bars = [decode_bar(pitch_logits[d], onset_logits[d], current.valid[0], 1, masks[d],
                               None if masks[d] is None else rng) for d in range(draws)]
            return bars[best_fitting(bars, current)]
        unit = live_unit(int(current.meter[0]), int(current.valid[0].sum()))
        pitches, onsets = pitch_logits[0], onset_logits[0]
        if chord is None:
            return decode_bar(pitches, onsets, current.valid[0], unit)
        allowed, first = chord_mask(chord), None
        for _ in range(LIVE_REDRAWS):
            bar = decode_bar(pitches, onsets, current.valid[0], unit, allowed, rng)
            if bar.key() not in avoid:
                return bar
            first = first or bar
        return first
