"""`play --follow` through real parts: a MIDI file as the player, the real model, FluidSynth."""

import time

import pytest

from coperformer.jam.jam import Jam
from coperformer.jam.options import JamOptions
from coperformer.music.beat_tracker import LOCKED
from tests.host_probe import HostProbe, assert_on_time
from tests.midi_helpers import melody_notes, write_midi


@pytest.fixture
def melody(tmp_path):
    return write_midi(tmp_path / "tune.mid", [{"channel": 0, "notes": melody_notes(6)}],
                      bpm=200)


def test_a_follow_jam_tracks_the_player_and_plays(melody, tmp_path, shipped_model):
    jam = Jam.build(JamOptions(input=str(melody), count_in=1, follow=True,
                               record=tmp_path / "take.mid"))
    assert jam.session.config.follow
    with HostProbe() as host:
        jam.start()
        while jam.running:
            time.sleep(0.05)
        estimate = jam.session.follow.tempo.estimate(time.perf_counter_ns())
        result = jam.finish()
    assert result.error is None and result.stats["bars_planned"] >= 3
    assert_on_time(result.stats["missed_deadlines"], host, jam.options.margin_ms)
    assert estimate.state == LOCKED
    assert estimate.bpm == pytest.approx(200, rel=0.05)  # the file's tempo, tracked


def test_play_has_a_follow_flag():
    from coperformer.cli.main import build_parser
    from coperformer.cli.play import options_from_args

    args = build_parser().parse_args(["play", "--input", "qwerty", "--follow"])
    assert options_from_args(args).follow
