"""Real live sessions (a MIDI file as the player, FluidSynth without a device): decision
margins, misses, pass-through latency, CPU use, start-up time, a note flood, and the
re-plans inside bars that the left hand and a chord chart bring."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from coperformer.bench.onsets import jack_onset_error, onset_error
from coperformer.bench.passthrough import passthrough_figures
from coperformer.io.smfwrite import write_melody
from coperformer.io.take_check import note_balance
from coperformer.jam.jam import Jam
from coperformer.jam.options import JamOptions
from coperformer.music.meter import COMMON_TIME
from coperformer.music.notes import Note, Piece, bars_for

SCALE = (60, 62, 64, 65, 67, 69, 71, 72, 71, 69, 67, 65, 64, 62)
SESSION_TEMPOS = (120, 240)
FLOOD_BPM, FLOOD_SECONDS, FLOOD_RATE = 120, 10.0, 2000  # issue 9's flood: 2,000 note-ons/s
LEFT_HAND_CHORDS = ((45, 48, 52), (41, 45, 48), (43, 47, 50, 53), (36, 40, 43))  # Am F G7 C
LEFT_HAND_SPLIT, LEFT_HAND_BPM, LEFT_HAND_BARS = "F#3", 120, 16
CHART, CHART_BPM, CHART_BARS = "Am | F G7 | C | Dm Em F G", 240, 16  # 5 changes in 4 bars
PLAYER_TRACK = 1  # a take: the conductor track, then the player's


def scale_notes(bars: int) -> list[Note]:
    """A scale in eighth notes over ``bars`` bars of 4/4 (G4 and up)."""
    return [Note(SCALE[i % len(SCALE)] + 7, i * 0.5, i * 0.5 + 0.45, 80)
            for i in range(bars * 8)]


def write_four_four(notes: list[Note], path: Path, bpm: float, quarters: float) -> Path:
    """Write ``notes`` as a one-track 4/4 MIDI file of ``quarters`` quarter notes."""
    write_melody(Piece(notes, [], bars_for(COMMON_TIME, quarters)), path, bpm)
    return path


def melody_file(folder: Path, bpm: float, bars: int) -> Path:
    """A scale in eighth notes over ``bars`` bars of 4/4, written as a MIDI file."""
    return write_four_four(scale_notes(bars), folder / f"melody-{bpm:g}.mid", bpm, bars * 4.0)


def two_hands_file(folder: Path, bpm: float, bars: int) -> Path:
    """The scale above the split, and below it a chord that changes on beat 3 of every bar
    (so every bar is planned again from a beat inside it), as a MIDI file."""
    chords = [Note(pitch, 4.0 * bar + 2.0, 4.0 * bar + 5.9, 70) for bar in range(bars - 1)
              for pitch in LEFT_HAND_CHORDS[bar % len(LEFT_HAND_CHORDS)]]
    notes = sorted(scale_notes(bars) + chords, key=lambda n: (n.start, n.pitch))
    return write_four_four(notes, folder / f"two-hands-{bpm:g}.mid", bpm, bars * 4.0)


def left_hand_figures(model: str | None, folder: Path, bars: int = LEFT_HAND_BARS) -> dict:
    """A session steered by the left hand mid-bar: how long each re-plan of the rest of a bar
    takes and how long before its beat it is done."""
    stats = session_figures(model, LEFT_HAND_BPM, bars, folder,
                            two_hands_file(folder, LEFT_HAND_BPM, bars), split=LEFT_HAND_SPLIT)
    return {"bpm": LEFT_HAND_BPM, "bars": stats["bars_planned"],
            "replan_ms": stats["replan_ms"], "replan_margin_ms": stats["replan_margin_ms"],
            "late_replans": stats["late_replans"],
            "missed_deadlines": stats["missed_deadlines"]}


def chart_figures(model: str | None, folder: Path, bars: int = CHART_BARS) -> dict:
    """A session on a chord chart at 240 BPM with chords changing inside bars (up to one a
    beat): how long each re-plan takes and how long before its beat it is done."""
    stats = session_figures(model, CHART_BPM, bars, folder, chords=CHART)
    return {"bpm": CHART_BPM, "chart": CHART, "bars": stats["bars_planned"],
            "replan_ms": stats["replan_ms"], "replan_margin_ms": stats["replan_margin_ms"],
            "late_replans": stats["late_replans"],
            "missed_deadlines": stats["missed_deadlines"]}


FLOOD_BATCH_S = 0.005  # the flood is sent this often, the notes due by then at once
FLOOD_HELD = 30  # each flood note ends this many notes later (15 ms at 2,000 a second)


def flood_figures(model: str | None, folder: Path, seconds: float = FLOOD_SECONDS,
                  per_second: int = FLOOD_RATE) -> dict:
    """A session flooded with notes through the live input path (each timestamped, passed
    through and queued as the MIDI callback does; a MIDI file that dense is refused as
    hostile): decision time, misses, and whether the take kept every note with its note-off."""
    take, count = folder / "flood-take.mid", round(seconds * per_second)
    jam = Jam.build(JamOptions(model=model, tempo=FLOOD_BPM, meter="4/4", record=str(take)))
    jam.start()
    try:
        _flood(jam, count, per_second)
        time.sleep(2 * 4 * 60 / FLOOD_BPM)  # two bars more: the flood's last bar is decided
    finally:
        stats = dict(jam.finish().stats)
    notes, unterminated = note_balance(take, PLAYER_TRACK)
    return {"notes_per_second": per_second, "seconds": seconds,
            "inference_ms": stats["inference_ms"], "margin_ms": stats["margin_ms"],
            "missed_deadlines": stats["missed_deadlines"], "notes_sent": count,
            "notes_in_take": notes, "unterminated_in_take": unterminated}


def _flood(jam: Jam, count: int, per_second: int) -> None:
    """``count`` short notes at ``per_second`` into the jam's input, batch by batch."""
    pitches = [48 + (i * 7) % 40 for i in range(count)]
    started, sent = time.monotonic(), 0
    while sent < count:
        due = min(count, int((time.monotonic() - started) * per_second) + 1)
        for i in range(sent, due):
            jam.key(pitches[i], 80)
            if i >= FLOOD_HELD:
                jam.key(pitches[i - FLOOD_HELD], 0)
        sent = due
        time.sleep(FLOOD_BATCH_S)
    for i in range(max(0, count - FLOOD_HELD), count):
        jam.key(pitches[i], 0)


def session_figures(model: str | None, bpm: float, bars: int, folder: Path,
                    path: Path | None = None, record: Path | None = None,
                    split: str | None = None, chords: str | None = None) -> dict:
    """Run a real session (file input, FluidSynth without a device) and return its stats."""
    path = path or melody_file(folder, bpm, bars)
    options = JamOptions(input=str(path), model=model, tempo=bpm, meter="4/4",
                         record=str(record) if record else None, split=split, chords=chords)
    started = time.perf_counter()
    jam = Jam.build(options)
    startup_ms = (time.perf_counter() - started) * 1000
    jam.start()
    while jam.running:
        time.sleep(0.05)
    stats = dict(jam.finish().stats)
    stats["startup_ms"] = round(startup_ms, 1)
    return stats


def jack_onset_figures(soundfont: Path) -> dict:
    """The band's onset error through the JACK driver, heard by a capture client on a dummy
    server of our own (128 and 64 frames a period); an empty dict without jackd."""
    if shutil.which("jackd") is None:
        print("bench: no jackd here; the onset error through JACK is not measured")
        return {}
    out = {}
    for period in (128, 64):
        figures = jack_onset_error(soundfont, period)
        out[f"onset_error_jack{period}_ms"] = figures["abs_ms"]
        out[f"onset_lag_jack{period}_ms"] = figures["signed_ms"]["p50"]
        out[f"onset_missing_jack{period}"] = figures["missing"]
        out[f"server_xruns_jack{period}"] = figures["xruns"]
    return out


def live_figures(model: str | None, session_bars: int, soundfont: Path) -> dict:
    """The figures that need real sessions and rendered audio."""
    out: dict = {"onset_error_ms": onset_error(soundfont),  # at the live default, 48 kHz
                 "onset_error_44khz_ms": onset_error(soundfont, 44100)}
    out.update(jack_onset_figures(soundfont))
    with tempfile.TemporaryDirectory() as tmp:
        for bpm in SESSION_TEMPOS:
            stats = session_figures(model, bpm, session_bars, Path(tmp))
            out[f"session_{bpm}bpm"] = {
                "margin_ms": stats["margin_ms"], "inference_ms": stats["inference_ms"],
                "plan_ms": stats["plan_ms"], "missed_deadlines": stats["missed_deadlines"],
                "bars": stats["bars_planned"], "reused_plans": stats["reused_plans"],
                "late_provisional": stats["late_provisional"],
                "chord_change_replan_ms": stats["replan_ms"],  # a new chord inside a bar (at
                "chord_change_margin_ms": stats["replan_margin_ms"],  # a beat, by default)
                "late_replans": stats["late_replans"],
                "cpu_percent": stats["cpu_percent"], "startup_ms": stats["startup_ms"]}
        for key in ("passthrough_ms", "cpu_percent", "startup_ms"):
            out[key] = stats[key]  # the fastest tempo's
        out["flood"] = flood_figures(model, Path(tmp))
        out["left_hand"] = left_hand_figures(model, Path(tmp))
        out["chart"] = chart_figures(model, Path(tmp))
    out["passthrough_while_scheduling"] = passthrough_figures(soundfont)
    return out


def missed_in(figures) -> int:
    """The missed deadlines in one session's figures (a nested dict), 0 where none are kept:
    every session counts, not only the fastest tempo's (a miss at 120 BPM was hidden)."""
    if not isinstance(figures, dict):
        return 0
    return int(figures.get("missed_deadlines", 0)) + sum(
        missed_in(value) for key, value in figures.items() if key != "missed_deadlines")
