import numpy as np
import pytest

from coperformer.model import dataset as D
from coperformer.model.corpus import CorpusError
from tests.midi_helpers import melody_notes, write_midi


def test_split_is_by_piece_fixed_and_disjoint():
    names = [f"piece{i}" for i in range(100)]
    first, second = D.split_names(names), D.split_names(list(reversed(names)))
    assert first == second
    assert (len(first["train"]), len(first["validation"]), len(first["test"])) == (80, 10, 10)
    assert not set(first["train"]) & set(first["test"])
    assert not set(first["validation"]) & set(first["test"])
    with pytest.raises(ValueError):
        D.split_names(["a", "a"])


def make_midi_corpus(folder, count=6):
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        lead = {"name": "Lead", "channel": 0, "notes": melody_notes(8, low=67 + i % 3)}
        pad = {"name": "Pad", "channel": 1,
               "notes": [(p, b * 4.0, b * 4.0 + 4) for b in range(8) for p in (48, 55, 60)]}
        write_midi(folder / f"song{i}.mid", [lead, pad])
    return folder


def test_midi_folder_corpus_skips_bad_files_with_a_message(tmp_path, capsys):
    folder = make_midi_corpus(tmp_path / "corpus", 3)
    (folder / "broken.mid").write_bytes(b"garbage")
    write_midi(folder / "solo.mid", [{"channel": 0, "notes": melody_notes(4)}])
    bars, rejected = D.load_corpus(str(folder))
    assert len(bars.names) == 3
    assert [r.split(":")[0] for r in rejected] == ["broken.mid", "solo.mid"]
    err = capsys.readouterr().err
    assert "read 5 MIDI files, 2 left out: broken.mid (" in err and "solo.mid (no band" in err
    with pytest.raises(CorpusError):
        D.load_corpus(str(tmp_path / "empty"))


def test_batches_are_transposed_copies(tmp_path):
    bars, _ = D.load_corpus(str(make_midi_corpus(tmp_path / "c", 2)))
    index = np.array([3, 3])
    batch = D.make_batch(bars, index, np.array([0, 2]))
    assert batch.context.shape[0] == 2
    hot = batch.band_class
    assert (hot[1][hot[1] > 0] - hot[0][hot[0] > 0] == 2).all()
    assert np.allclose(np.roll(batch.profile[0], 2), batch.profile[1])


def test_corpus_cache_round_trip(tmp_path, monkeypatch):
    monkeypatch.setenv("COPERFORMER_CACHE", str(tmp_path / "cache"))
    folder = make_midi_corpus(tmp_path / "c", 3)
    first, _ = D.load_corpus(str(folder))
    assert len(list((tmp_path / "cache" / "files").glob("*.npz"))) == 3
    second, _ = D.load_corpus(str(folder))
    assert first.names == second.names
    assert (first.slots.band == second.slots.band).all()
