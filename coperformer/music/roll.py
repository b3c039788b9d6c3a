"""The piano-roll codec: notes <-> a 16th-note grid of one melody and three band voices."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coperformer.music.meter import STEPS_PER_QUARTER, model_segments
from coperformer.music.notes import Note, Piece

BAND_VOICES = 3
REST = -1
BAND_VELOCITY = 72
DOWNBEAT_ACCENT = 8


@dataclass
class Grid:
    """A piece on the step grid: one melody line, three band voices, and the model bars."""

    melody: np.ndarray  # int16 [T], MIDI pitch or REST
    melody_onset: np.ndarray  # bool [T]
    band: np.ndarray  # int16 [3, T], voices top to bottom
    band_onset: np.ndarray  # bool [3, T]
    bar_start: np.ndarray  # int32 [B]
    bar_len: np.ndarray  # int32 [B]
    meter_code: np.ndarray  # int8 [B]

    @property
    def steps(self) -> int:
        """Total number of steps."""
        return int(self.melody.shape[0])

    @property
    def bars(self) -> int:
        """Number of model bars."""
        return int(self.bar_start.shape[0])

    def bar_slice(self, index: int) -> slice:
        """The steps of one bar."""
        start = int(self.bar_start[index])
        return slice(start, start + int(self.bar_len[index]))


def to_step(quarters: float) -> int:
    """Quantize a time in quarter notes to the nearest grid step."""
    return int(round(quarters * STEPS_PER_QUARTER))


def empty_grid(piece: Piece) -> Grid:
    """A silent grid with the bar layout of a piece (long bars split into model bars)."""
    starts, lengths, codes = [], [], []
    for bar in piece.bars:
        bar_step = to_step(bar.start)
        for offset, length in model_segments(bar.meter.bar_steps):
            starts.append(bar_step + offset)
            lengths.append(length)
            codes.append(bar.meter.code)
    total = starts[-1] + lengths[-1] if starts else 0
    return Grid(
        melody=np.full(total, REST, np.int16),
        melody_onset=np.zeros(total, bool),
        band=np.full((BAND_VOICES, total), REST, np.int16),
        band_onset=np.zeros((BAND_VOICES, total), bool),
        bar_start=np.asarray(starts, np.int32),
        bar_len=np.asarray(lengths, np.int32),
        meter_code=np.asarray(codes, np.int8),
    )


Span = tuple[int, int, int]  # a note on the grid: pitch, first step, the step after its end


def note_span(note: Note) -> Span:
    """A note's pitch and steps on the grid (unclamped; at least one step long)."""
    start = to_step(note.start)
    return note.pitch, start, to_step(note.end)


def _clamped(start: int, end: int, total: int) -> tuple[int, int]:
    start = max(0, start)
    return start, min(total, max(start + 1, end))


def write_line(notes: list[Note], pitches: np.ndarray, onsets: np.ndarray) -> None:
    """Write notes into one line, the higher note winning; call mark_pitch_changes after."""
    write_spans([note_span(note) for note in notes], pitches, onsets)


def write_spans(spans: list[Span], pitches: np.ndarray, onsets: np.ndarray) -> None:
    """Write notes already on the grid into one line, the higher note winning (an onset
    where a note begins and wins); call mark_pitch_changes after."""
    total = pitches.shape[0]
    for pitch, first, after in sorted(spans, key=lambda span: (span[1], span[0])):
        start, end = _clamped(first, after, total)
        if start >= total:
            continue
        span = pitches[start:end]
        wins = (span == REST) | (span <= pitch)
        span[wins] = pitch
        if wins[0]:
            onsets[start] = True


def thin_spans(spans: list[Span]) -> list[Span]:
    """At most one note per onset step, the one ``write_spans`` shows there (the highest,
    then the longest): bounded work however many notes a flood brings."""
    best: dict[int, Span] = {}
    for span in spans:
        kept = best.get(span[1])
        if kept is None or (span[0], span[2]) > (kept[0], kept[2]):
            best[span[1]] = span
    return [best[step] for step in sorted(best)]


def reduce_to_voices(notes: list[Note], total: int) -> tuple[np.ndarray, np.ndarray]:
    """Spread any number of band notes over three voices: top, middle and bass."""
    sounding: list[list[tuple[int, bool]]] = [[] for _ in range(total)]
    for note in notes:
        _, first, after = note_span(note)
        start, end = _clamped(first, after, total)
        for step in range(start, end):
            sounding[step].append((note.pitch, step == start))
    pitches = np.full((BAND_VOICES, total), REST, np.int16)
    onsets = np.zeros((BAND_VOICES, total), bool)
    for step, here in enumerate(sounding):
        if not here:
            continue
        ordered = sorted(set(here), key=lambda item: (-item[0], not item[1]))
        unique = list(dict.fromkeys(p for p, _ in ordered))
        starts = {p for p, s in ordered if s}
        chosen = _pick_three(unique)
        for voice, pitch in chosen.items():
            pitches[voice, step] = pitch
            onsets[voice, step] = pitch in starts
    mark_pitch_changes(pitches, onsets)
    return pitches, onsets


def _pick_three(descending: list[int]) -> dict[int, int]:
    if len(descending) == 1:
        return {2: descending[0]}
    if len(descending) == 2:
        return {0: descending[0], 2: descending[1]}
    return {0: descending[0], 1: descending[len(descending) // 2], 2: descending[-1]}


def mark_pitch_changes(pitches: np.ndarray, onsets: np.ndarray) -> None:
    """Mark an onset wherever a line's pitch changes (in place; lines are rows)."""
    previous = np.concatenate([np.full((pitches.shape[0], 1), REST), pitches[:, :-1]], axis=1)
    onsets |= (pitches != REST) & (pitches != previous)


def grid_from_piece(piece: Piece) -> Grid:
    """Encode a piece: melody as one line, band as three voices (direct if it has three)."""
    grid = empty_grid(piece)
    write_line(piece.melody, grid.melody, grid.melody_onset)
    mark_pitch_changes(grid.melody[None, :], grid.melody_onset[None, :])
    if len(piece.band) == BAND_VOICES:
        for voice, notes in enumerate(piece.band):
            write_line(notes, grid.band[voice], grid.band_onset[voice])
        mark_pitch_changes(grid.band, grid.band_onset)
    elif piece.band:
        everything = [note for voice in piece.band for note in voice]
        grid.band, grid.band_onset = reduce_to_voices(everything, grid.steps)
    return grid


def line_to_notes(
    pitches: np.ndarray, onsets: np.ndarray, offset_steps: int = 0, velocity: int = 80
) -> list[Note]:
    """Decode one line of steps into notes (a new note at each onset or pitch change)."""
    notes: list[Note] = []
    start, current = 0, REST
    for step in range(pitches.shape[0] + 1):
        pitch = int(pitches[step]) if step < pitches.shape[0] else REST
        new = step == pitches.shape[0] or pitch != current or bool(onsets[step])
        if not new:
            continue
        if current != REST:
            notes.append(_step_note(current, offset_steps + start, offset_steps + step, velocity))
        start, current = step, pitch
    return notes


def _step_note(pitch: int, start: int, end: int, velocity: int) -> Note:
    return Note(pitch, start / STEPS_PER_QUARTER, end / STEPS_PER_QUARTER, velocity)


def bar_voices(pitches: np.ndarray, onsets: np.ndarray, start_step: int = 0,
               ) -> list[list[Note]]:
    """One bar of band steps [voices, steps] as notes per voice, the downbeat accented."""
    voices = []
    for voice in range(pitches.shape[0]):
        notes = line_to_notes(pitches[voice], onsets[voice], start_step, BAND_VELOCITY)
        voices.append([Note(n.pitch, n.start, n.end,
                            n.velocity + (DOWNBEAT_ACCENT if round(n.start * 4) == start_step
                                          else 0)) for n in notes])
    return voices
