"""A loaded band model: load, describe, warm up, generate bars (the backend runs the network:
TorchScript, or numpy while torch is still being imported)."""

from __future__ import annotations

import functools
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
from coperformer.model.errors import ModelError
from coperformer.model.trust import model_bytes
from coperformer.music import features as F
from coperformer.music.chord_type import Chord
from coperformer.music.harmony import estimate_key, pitch_class_histogram
from coperformer.music.listening import candidate_chords
from coperformer.music.meter import MAX_BAR_STEPS, METER_CODES
from coperformer.music.metrics import band_agreement, chord_agreements
from coperformer.music.roll import REST

SUPPORTED_FORMAT = 1
SHORT_BAR_STEPS = 8  # 2/4 and 3/8: live notes may be eighths
SHORT_BAR_ONSET_LOGIT = -2.0  # and re-strike more readily (6-14 onsets a bar; tuning set)
OFFLINE_DRAWS = 4  # offline: noise draws in one call, the best fit to the heard bar wins
LIVE_REDRAWS = 4  # a planned live bar drawn again (same call's output) while it repeats


@dataclass
class BandBar:
    """One generated band bar: MIDI pitches (REST = -1) and onsets, [3, 16] each."""

    pitches: np.ndarray
    onsets: np.ndarray

    def key(self) -> bytes:
        """A hashable fingerprint of the bar, to recognize a bar played before (any thread)."""
        return self.pitches.tobytes() + np.packbits(self.onsets).tobytes()


SPEED_CALLS = 9  # live bars timed for a model's speed (their median)
SPEED_MIN_CALLS = 3  # however long they take
SPEED_WARM_CALLS = 2  # and bars run before, untimed
SPEED_BUDGET_S = 0.5  # wall time after which no more bars are timed (past the minimum)
DUMMY_CHORD = Chord((0, 4, 7), 0)


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
        draws = OFFLINE_DRAWS if offline else 1
        noise = rng.standard_normal((draws, F.NOISE_SIZE)).astype(np.float32)
        inputs = tuple(np.repeat(x.astype(np.float32, copy=False), draws, axis=0)
                       for x in inputs) + (noise,)
        pitch_logits, onset_logits = self._call(inputs, draws)
        if offline:  # a declared chord (a chart's) holds for every draw
            masks = offline_masks(current, profile, draws) if chord is None \
                else [chord_mask(chord)] * draws
            return best_fitting([decode_bar(pitch_logits[d], onset_logits[d],
                                            current.valid[0], 1, masks[d],
                                            None if masks[d] is None else rng)
                                 for d in range(draws)], current)
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


def offline_masks(current: F.BarSlots, profile: np.ndarray, draws: int,
                  ) -> list[np.ndarray | None]:
    """Half the offline draws play freely, half on the diatonic chord that fits the bar best."""
    length = int(current.valid[0].sum())
    melody = current.melody[0, :length]
    heard = np.asarray(profile, np.float64) + pitch_class_histogram(melody) / max(1, length)
    chords = candidate_chords(estimate_key(heard))
    fits = chord_agreements(melody, [c.pitch_classes for c in chords], [c.bass for c in chords])
    best = chords[int(np.argmax(fits))]
    return [None if d < (draws + 1) // 2 else chord_mask(best) for d in range(draws)]


def best_fitting(bars: list[BandBar], current: F.BarSlots) -> BandBar:
    """The bar that agrees best with the melody it accompanies (offline mode hears it)."""
    length = int(current.valid[0].sum())
    melody = current.melody[0, :length]
    scores = [band_agreement(melody, bar.pitches[:, :length]) for bar in bars]
    return bars[int(np.argmax(scores))]


@functools.lru_cache(maxsize=512)
def chord_mask(chord: Chord) -> np.ndarray:
    """Pitches each voice may take [voices, BAND_SIZE]: chord tones; the bass gets the bass.
    The upper voices keep under the player, a floating one above (when two chord tones fit
    there; else anywhere). Kept per chord (a session meets few), so read-only."""
    pitches = np.arange(F.BAND_SIZE) + F.BAND_LOW
    tones = np.isin(pitches % 12, chord.pitch_classes)
    under = _where_two_fit(tones, None if chord.ceiling is None else pitches <= chord.ceiling)
    above = _where_two_fit(tones, None if chord.top is None else pitches > chord.top)
    upper = [above if voice in chord.floating else under for voice in range(F.BAND_VOICES - 1)]
    mask = np.stack([*upper, pitches % 12 == chord.bass])
    mask.flags.writeable = False
    return mask


def _where_two_fit(tones: np.ndarray, region: np.ndarray | None) -> np.ndarray:
    """The tones inside ``region`` when at least two are, else all of them."""
    if region is None or (tones & region).sum() < 2:
        return tones
    return tones & region


SHORT_UNIT = 2


def live_unit(meter_code: int, bar_steps: int = 16) -> int:
    """Shortest live note in steps: a quarter, a dotted quarter in 6/8, an eighth in short bars.

    Short bars (2/4, 3/8: 8 steps or fewer) would leave a voice two notes a bar at most.
    """
    if bar_steps <= SHORT_BAR_STEPS:
        return SHORT_UNIT
    return 6 if METER_CODES[meter_code] == "6/8" else 4


def decode_bar(pitch_logits: np.ndarray, onset_logits: np.ndarray, valid: np.ndarray,
               unit: int = 1, allowed: np.ndarray | None = None,
               sample: np.random.Generator | None = None) -> BandBar:
    """Binarize logits into notes: onsets split each voice, each note takes its likeliest pitch.

    With ``unit`` > 1, notes start only every ``unit`` steps (live mode plays beat-long notes
    at least: it cannot know the passing notes of a melody it has not heard yet). ``allowed``
    [voices, BAND_SIZE] restricts the pitches each voice may choose; with ``sample`` the onsets
    and each note's pitch are drawn from the model's distribution instead of the likeliest.
    """
    log_probs = pitch_logits - _logsumexp(pitch_logits)
    if allowed is not None:
        log_probs = log_probs.copy()
        log_probs[:, 1:][~allowed] = -1e9
    sounding = (log_probs[:, 0, :] < np.log(0.5)) & valid[None, :]
    threshold = SHORT_BAR_ONSET_LOGIT if unit == SHORT_UNIT else 0.0
    if sample is None:
        starts = onset_logits > threshold
    else:  # a drawn variant: its rhythm is drawn too
        starts = sample.random(onset_logits.shape) < 1.0 / (1.0 + np.exp(threshold - onset_logits))
    if unit > 1:
        sounding, starts = _quantize(sounding, starts, unit)
    pitches = np.full(sounding.shape, REST, np.int16)
    onsets = np.zeros(sounding.shape, bool)
    for voice in range(sounding.shape[0]):
        for segment in _segments(sounding[voice], starts[voice]):
            for begin, end in _split_by_unit(log_probs[voice, 1:], *segment, unit):
                pitch = _choose_pitch(log_probs[voice, 1:, begin:end], sample)
                pitches[voice, begin:end] = pitch + F.BAND_LOW
                onsets[voice, begin] = True
    return BandBar(pitches, onsets)


def _choose_pitch(log_probs: np.ndarray, sample: np.random.Generator | None) -> int:
    """The likeliest pitch over a note's steps [pitches, steps], or one drawn by its mean."""
    if sample is None:
        return int(log_probs.sum(axis=1).argmax())
    mean = log_probs.sum(axis=1) / log_probs.shape[1]
    cumulative = np.cumsum(np.exp(mean - mean.max()))
    return int(np.searchsorted(cumulative, sample.random() * cumulative[-1], side="right"))


def _quantize(sounding: np.ndarray, starts: np.ndarray, unit: int):
    """Sound or rest whole units (by majority), and move onsets to the start of their unit."""
    sounding, starts = sounding.copy(), starts.copy()
    for begin in range(0, sounding.shape[1], unit):
        chunk = slice(begin, begin + unit)
        sounding[:, chunk] = (sounding[:, chunk].mean(axis=1) >= 0.5)[:, None]
        first = starts[:, chunk].any(axis=1)
        starts[:, chunk] = False
        starts[:, begin] = first
    return sounding, starts


def _split_by_unit(log_probs: np.ndarray, begin: int, end: int, unit: int):
    """Split a note where the likeliest pitch of one unit differs from the unit before."""
    if unit <= 1:
        return [(begin, end)]
    pieces, start, previous = [], begin, None
    for chunk in range(begin, end, unit):
        best = int(log_probs[:, chunk : min(chunk + unit, end)].sum(axis=1).argmax())
        if previous is not None and best != previous:
            pieces.append((start, chunk))
            start = chunk
        previous = best
    pieces.append((start, end))
    return pieces


def _logsumexp(logits: np.ndarray) -> np.ndarray:
    top = logits.max(axis=1, keepdims=True)
    return top + np.log(np.exp(logits - top).sum(axis=1, keepdims=True))


def _segments(sounding: np.ndarray, starts: np.ndarray) -> list[tuple[int, int]]:
    """(begin, end) of the notes of one voice: a note runs until silence or the next onset."""
    out, begin = [], None
    for step in range(sounding.shape[0] + 1):
        on = step < sounding.shape[0] and bool(sounding[step])
        if begin is not None and (not on or starts[step]):
            out.append((begin, step))
            begin = None
        if on and begin is None:
            begin = step
    return out
