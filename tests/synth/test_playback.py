"""A take played back through the stopped window's synth (real FluidSynth, no audio driver):
its pedal, volumes and programs are the take's while it plays, and the window's again after."""

import time

import mido
import pytest

from coperformer.gui.idle_synth import IdleSynth, SoundChoice
from coperformer.music.gm import VOLUME_CC

SUSTAIN_CC = 64
WINDOW_PROGRAMS = {0: 0, 1: 32}


def _take(path):
    """A half-second take that holds the pedal down, turns channel 0 down and changes its
    program."""
    midi = mido.MidiFile(ticks_per_beat=480)
    track = mido.MidiTrack()
    track += [mido.Message("program_change", channel=0, program=40),
              mido.Message("control_change", channel=0, control=SUSTAIN_CC, value=127),
              mido.Message("control_change", channel=0, control=VOLUME_CC, value=20),
              mido.Message("note_on", channel=0, note=60, velocity=90),
              mido.Message("note_off", channel=0, note=60, time=480)]
    midi.tracks.append(track)
    midi.save(path)
    return path


def _state(idle):
    fluid = idle.synth.synth.synth
    return fluid.get_cc(0, SUSTAIN_CC), fluid.get_cc(0, VOLUME_CC), fluid.program_info(0)[2]


@pytest.mark.parametrize("how", ["stopped", "played to its end"])
def test_after_a_take_the_window_sound_is_back(tmp_path, how):
    idle = IdleSynth(lambda: SoundChoice(None, "none", 256, dict(WINDOW_PROGRAMS)))
    try:
        idle.play(_take(tmp_path / "take.mid"))
        deadline = time.monotonic() + 5
        while _state(idle) != (127, 20, 40) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert _state(idle) == (127, 20, 40)  # the take's own
        if how == "stopped":
            idle.stop_playback()
        else:
            while idle.playing and time.monotonic() < deadline:
                time.sleep(0.05)
            idle.key(64, 100)  # the next key the player presses
        assert not idle.playing
        sustain, volume, program = _state(idle)
        assert (sustain, program) == (0, WINDOW_PROGRAMS[0])
        assert volume == 100  # GM's default
        assert idle.synth.synth.synth.program_info(1)[2] == WINDOW_PROGRAMS[1]
    finally:
        idle.close()
