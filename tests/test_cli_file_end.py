"""`play --input FILE` ends with the file: a last note the file never ends (no note-off, as many
files in the wild) ends where the file does, then the band plays its ending and the jam stops."""

import subprocess
import sys
import time

import mido

from coperformer.music.chord_chart import parse_chord
from tests.midi_helpers import TPB, markers

BPM = 240  # a 4/4 bar is a second


def _unended_file(path):
    """Three bars of a C-major melody; the last note, a C on bar 3's downbeat, is never
    ended (no note-off before the end of the track)."""
    midi = mido.MidiFile(type=0, ticks_per_beat=TPB)
    track = mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(BPM)),
                            mido.MetaMessage("time_signature", numerator=4, denominator=4)])
    pitches = [64, 65, 67, 72, 71, 67, 65, 62]
    for pitch in pitches:
        track += [mido.Message("note_on", note=pitch, velocity=90, time=0),
                  mido.Message("note_off", note=pitch, velocity=0, time=TPB)]
    track += [mido.Message("note_on", note=60, velocity=90, time=0),
              mido.MetaMessage("end_of_track", time=2 * TPB)]
    midi.tracks.append(track)
    midi.save(path)
    return path


def _band_bars(take) -> dict[int, set[int]]:
    """Bar -> pitches the band starts in it."""
    midi = mido.MidiFile(take)
    bars: dict[int, set[int]] = {}
    for track in midi.tracks[2:]:
        ticks = 0
        for message in track:
            ticks += message.time
            if message.type == "note_on" and message.velocity:
                bars.setdefault(ticks // (4 * midi.ticks_per_beat), set()).add(message.note)
    return bars


def test_a_file_whose_last_note_never_ends_ends_with_the_file_then_the_band_ends(
        tmp_path, shipped_model):
    source = _unended_file(tmp_path / "unended.mid")
    take = tmp_path / "take.mid"
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "coperformer.cli", "play", "--input",
                             str(source), "--count-in", "0", "--no-metronome", "--record",
                             str(take)], capture_output=True, text=True, timeout=120)
    took = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    bars = _band_bars(take)
    # the last note ends where the file does (bar 2, beat 3): the final chord is bar 3
    assert max(bars) == 3, bars  # 0-based: the file holds bars 0-2
    last = bars[max(bars)]
    assert {p % 12 for p in last} == {0, 4, 7} and len(last) == 3  # C major, held
    assert max(last) < 60  # under the melody
    name = markers(take)[-1][1]
    assert set(parse_chord(name).pitch_classes) == {0, 4, 7}
    assert took < 60, took
    melody = mido.MidiFile(take).tracks[1]
    ends = sum(m.type == "note_off" or (m.type == "note_on" and not m.velocity)
               for m in melody)
    assert ends == 9  # every melody note ended, the file's unended C too
