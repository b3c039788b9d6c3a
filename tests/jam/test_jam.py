"""The jam facade through real parts: a MIDI file as the player, the real model, FluidSynth."""

import threading
import time

import mido
import numpy as np
import pytest

from coperformer.engine.transport import TransportError
from coperformer.jam.jam import Jam
from coperformer.jam.options import JamOptions
from coperformer.model.runtime import ModelError
from coperformer.music.harmony import Key
from coperformer.music.listening import AdventureError
from coperformer.synth.live_synth import AudioDriverError
from coperformer.synth.soundfont import SoundfontError
from tests.jam.helpers import ChordBoard
from tests.midi_helpers import markers, melody_notes, write_midi


@pytest.fixture
def short_melody(tmp_path):
    return write_midi(tmp_path / "short.mid", [{"channel": 0, "notes": melody_notes(4)}],
                      bpm=240)


def test_a_file_jam_with_intents_from_another_thread(short_melody, tmp_path, shipped_model):
    take = tmp_path / "take.mid"
    jam = Jam.build(JamOptions(input=str(short_melody), count_in=0, record=take,
                               programs={3: 32}, volumes={1: 80}))
    assert jam.plan.bpm == 240 and str(jam.plan.meter) == "4/4"  # the file's own
    jam.start()
    player = threading.Thread(target=lambda: (jam.set_program(2, 71), jam.set_solo(1, True),
                                              jam.set_tempo(200), jam.set_adventure(0.9)))
    player.start()
    player.join()
    while jam.running and (jam.snapshot().planned_bar or 0) < 2:
        time.sleep(0.02)
    snapshot = jam.snapshot()
    assert snapshot.started and snapshot.position(time.perf_counter_ns())[0] >= 1
    while jam.running:
        time.sleep(0.05)
    result = jam.finish()
    assert result.error is None and result.saved == (str(take),)
    assert result.stats["bars_planned"] >= 3 and result.stats["passthrough_ms"]["n"] == 16
    midi = mido.MidiFile(take)
    programs = {m.channel: m.program for t in midi.tracks for m in t
                if m.type == "program_change"}
    assert programs == {1: 48, 2: 71, 3: 32}  # the model's, an intent, an option
    assert not (tmp_path / "take.mid.journal").exists()
    assert jam.session.band.planner.adventure == 0.9  # applied by the worker


@pytest.mark.parametrize("options,error", [
    (JamOptions(model="no-such-style"), ModelError),
    (JamOptions(tempo=300), TransportError),
    (JamOptions(tempo=0), TransportError),  # never silently the default
    (JamOptions(soundfont="/nowhere/gone.sf2"), SoundfontError),
    (JamOptions(adventure=1.5), AdventureError),
])
def test_what_is_wrong_is_a_domain_error(options, error, shipped_model):
    with pytest.raises(error):
        Jam.build(options)


def test_a_failed_build_leaves_no_journal_behind(tmp_path, shipped_model):
    take = tmp_path / "take.mid"
    with pytest.raises(TransportError):
        Jam.build(JamOptions(tempo=300, record=take))
    assert not (tmp_path / "take.mid.journal").exists()


def test_a_driver_that_cannot_open_plays_silently_when_asked(shipped_model):
    with pytest.raises(AudioDriverError):
        Jam.build(JamOptions(audio_driver="no-such-driver"))
    jam = Jam.build(JamOptions(audio_driver="no-such-driver", driver_fallback=True))
    try:
        assert jam.synth.driver is None
        assert any("playing without sound" in w for w in jam.warnings)
    finally:
        jam.finish()


def test_an_intro_key_settles_the_listening_bands_key_at_once(short_melody, shipped_model):
    jam = Jam.build(JamOptions(input=str(short_melody), intro="G", seed=3))
    try:
        planner = jam.session.band.planner
        assert planner.key == Key(7, False) and planner.seed == 3
        e_only = np.full(16, 64, np.int16)  # one pitch class: a band without a key waits
        assert planner.plan([e_only], 1, commit=False) is not None
    finally:
        jam.finish()


def test_without_any_soundfont_the_jam_plays_silently_and_records(short_melody, tmp_path,
                                                                  monkeypatch, shipped_model):
    import coperformer.synth.soundfont as sf

    monkeypatch.delenv("COPERFORMER_SOUNDFONT", raising=False)
    monkeypatch.setattr(sf, "SYSTEM_SOUNDFONTS", ())
    monkeypatch.setattr(sf, "soundfonts_dir", lambda: tmp_path)
    monkeypatch.setattr(sf, "user_soundfonts_dir", lambda: tmp_path)
    take = tmp_path / "take.mid"
    jam = Jam.build(JamOptions(input=str(short_melody), count_in=0, record=take))
    assert jam.synth.synth.soundfont is None
    assert any("fluid-soundfont-gm" in w and "silently" in w for w in jam.warnings)
    jam.start()
    while jam.running:
        time.sleep(0.05)
    result = jam.finish()
    assert result.error is None and result.saved == (str(take),)
    band_notes = [m for t in mido.MidiFile(take).tracks[2:] for m in t if m.type == "note_on"]
    assert band_notes, "the band played (silently) and was recorded"


def test_a_second_session_on_the_same_take_records_beside_it(short_melody, tmp_path,
                                                             shipped_model):
    take = tmp_path / "take.mid"
    jams = [Jam.build(JamOptions(input=str(short_melody), count_in=0, record=take))]
    jams.append(Jam.build(JamOptions(input=str(short_melody), count_in=0, record=take)))
    second = jams[1]
    assert second.options.record == tmp_path / "take-2.mid"
    assert any("being recorded by another session" in w for w in second.warnings)
    assert second.recovered is None  # the live journal is not "recovered" from under it
    for jam in jams:
        jam.start()
    while any(jam.running for jam in jams):
        time.sleep(0.05)
    results = [jam.finish() for jam in jams]
    assert [r.saved for r in results] == [(str(take),), (str(tmp_path / "take-2.mid"),)]
    assert not list(tmp_path.glob("*.journal"))


def test_a_take_that_cannot_be_saved_keeps_its_journal_and_says_how_to_recover(
        short_melody, tmp_path, shipped_model):
    take = tmp_path / "take.mid"
    jam = Jam.build(JamOptions(input=str(short_melody), count_in=0, record=take))
    take.mkdir()  # something in the way of the file: the save fails
    jam.start()
    while jam.running:
        time.sleep(0.05)
    result = jam.finish()
    journal = tmp_path / "take.mid.journal"
    assert result.saved == () and journal.exists()
    assert result.save_error.startswith(f"cannot save the take to {take}")
    assert f"coperformer recover {journal}" in result.save_error


def test_the_mix_as_it_changed_is_in_the_take(short_melody, tmp_path, shipped_model):
    take = tmp_path / "take.mid"
    jam = Jam.build(JamOptions(input=str(short_melody), count_in=0, record=take,
                               volumes={0: 70}, muted=frozenset({2})))
    jam.start()
    while jam.running and (jam.snapshot().planned_bar or 0) < 2:
        time.sleep(0.01)
    jam.set_solo(3, True)  # the others fall silent from here
    while jam.running:
        time.sleep(0.05)
    jam.finish()
    levels: dict[int, list[int]] = {}
    for track in mido.MidiFile(take).tracks:
        for message in track:
            if message.type == "control_change" and message.control == 7:
                levels.setdefault(message.channel, []).append(message.value)
    assert levels[0] == [70, 0] and levels[2] == [0]  # the player quiet, the alto muted
    assert levels[1] == [0] and 3 not in levels  # solo: the bass alone stays at 100


def test_the_take_marks_each_chord_the_listening_band_decided(tmp_path, shipped_model):
    melody = write_midi(tmp_path / "m.mid", [{"channel": 0, "notes": melody_notes(8)}], bpm=240)
    take = tmp_path / "take.mid"
    board = ChordBoard()
    jam = Jam.build(JamOptions(input=str(melody), count_in=0, record=take), board)
    jam.start()
    while jam.running:
        time.sleep(0.05)
    assert jam.finish().error is None
    changes = [(bar, name) for index, (bar, name) in enumerate(board.decided)
               if index == 0 or board.decided[index - 1][1] != name]
    written = markers(take)
    assert len(changes) >= 3, board.decided  # the band moved
    ending = written[-1][0] >= 4.0 * (changes[-1][0] + 1)  # the tune's last chord (tune_end)
    band = written[:-1] if ending else written
    assert [name for _, name in band] == [name for _, name in changes][:len(band)]
    assert len(band) >= len(changes) - 1
    for (at, _), (bar, _) in zip(band, changes, strict=False):
        assert at in (4.0 * bar, 4.0 * bar + 1.0, 4.0 * bar + 2.0, 4.0 * bar + 3.0)  # a beat
