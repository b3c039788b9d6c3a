"""A model file is code: the shipped models load because their bytes hash to the sha256 kept
inside the package; any other file only once the user trusted it (a record in the state
folder, never a card beside the file). The bytes hashed are the bytes run."""

import json
import os
import shutil
import time

import pytest

from coperformer.cli.main import main
from coperformer.common.paths import data_dir, state_dir, user_models_dir
from coperformer.model import store
from coperformer.model.card import MAX_CARD_BYTES, read_card, update_card
from coperformer.model.errors import ModelError
from coperformer.model.shipped import SHIPPED_SHA256
from coperformer.model.store import available_models, load_model, resolve_model
from coperformer.model.trust import TRUST_FILE, check_trusted, digest_of, trusted_hashes


def _changed_copy(shipped_model, path):
    """The shipped model with a byte more: the same network, another file (not shipped)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(shipped_model.read_bytes() + b"\0")
    return path


def test_the_shipped_hashes_are_the_shipped_models():
    shipped = {path.name: path for path in data_dir("models").glob("*.pt")}
    assert set(SHIPPED_SHA256) == set(shipped)
    for name, path in shipped.items():
        assert SHIPPED_SHA256[name] == digest_of(path.read_bytes()), name
        check_trusted(path)


def test_a_file_from_elsewhere_loads_only_once_trusted(tmp_path, shipped_model, melody_file,
                                                       capsys):
    stranger = _changed_copy(shipped_model, tmp_path / "downloaded.pt")
    with pytest.raises(ModelError, match="a model file is code.*--trust-model"):
        check_trusted(stranger)
    out = tmp_path / "band.mid"
    assert main(["accompany", str(melody_file), "-o", str(out), "--model", str(stranger)]) == 2
    assert "--trust-model" in capsys.readouterr().err and not out.exists()
    assert main(["accompany", str(melody_file), "-o", str(out), "--model", str(stranger),
                 "--trust-model"]) == 0
    assert trusted_hashes() == {digest_of(stranger.read_bytes())}
    assert (state_dir() / TRUST_FILE).exists()
    check_trusted(stranger)  # remembered by its sha256
    stranger.write_bytes(stranger.read_bytes() + b"\0")  # another file now
    with pytest.raises(ModelError, match="not a shipped model nor one you trusted"):
        check_trusted(stranger)


def test_a_card_holding_the_files_sha256_trusts_nothing(tmp_path, shipped_model, melody_file,
                                                        capsys):
    mine = _changed_copy(shipped_model, user_models_dir() / "mine.pt")
    update_card(mine, style="mine")  # the card names the file's own sha256
    assert read_card(mine)["sha256"] == digest_of(mine.read_bytes())
    with pytest.raises(ModelError, match="not a shipped model nor one you trusted"):
        load_model("mine")
    out = tmp_path / "band.mid"
    assert main(["accompany", str(melody_file), "-o", str(out), "--model", "mine"]) == 2
    assert "--trust-model" in capsys.readouterr().err and not out.exists()


def test_a_users_file_never_stands_in_for_a_shipped_style(tmp_path, shipped_model, melody_file,
                                                          capsys):
    evil = _changed_copy(shipped_model, user_models_dir() / "bach.pt")
    update_card(evil, style="bach")
    out = tmp_path / "band.mid"
    assert main(["accompany", str(melody_file), "-o", str(out)]) == 2  # the default style
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and f"{evil} has the name of a shipped style (bach)" in err
    assert not out.exists()
    evil.unlink()
    assert resolve_model("bach").parent == data_dir("models")


def test_the_bytes_hashed_are_the_bytes_loaded(tmp_path, shipped_model, monkeypatch):
    """The file is swapped for garbage right after it was read: the load runs the bytes read,
    never the file again."""
    victim = tmp_path / "swapped.pt"
    shutil.copy(shipped_model, victim)
    read_once = store.model_bytes

    def read_then_swap(path):
        data = read_once(path)
        victim.write_bytes(b"PK\x03\x04 garbage, not the trusted model")
        return data

    monkeypatch.setattr(store, "model_bytes", read_then_swap)
    model = load_model(str(victim))
    assert model.track_names and victim.read_bytes().startswith(b"PK\x03\x04 garbage")


def test_only_regular_files_are_models_in_every_folder(tmp_path):
    folder = user_models_dir()
    folder.mkdir(parents=True)
    os.mkfifo(folder / "pipe.pt")
    (folder / "dir.pt").mkdir()
    (folder / "zero.pt").symlink_to("/dev/zero")
    assert not {"pipe", "dir", "zero"} & set(available_models())
    for name, reason in (("pipe", "is a FIFO"), ("dir", "is a folder"), ("zero", "is a device")):
        started = time.monotonic()
        with pytest.raises(ModelError, match=reason):
            load_model(name)
        with pytest.raises(ModelError, match=reason):
            load_model(str(folder / f"{name}.pt"), trust_it=True)
        assert time.monotonic() - started < 2.0


CARDS = {
    "not JSON": (b"{'style': 'bach'}", "is not JSON"),
    "a JSON list": (b"[1, 2, 3]", "is a JSON list, not an object"),
    "nested too deep": (b"[" * 30_000 + b"]" * 30_000, "is nested too deep"),
    "binary": (bytes(range(256)) * 8, "is not UTF-8 text"),
    "a section of the wrong kind": (b'{"training": [1]}', "'training' is not an object"),
    "too large": (b'{"x": "' + b"a" * MAX_CARD_BYTES + b'"}', "larger than 64 KB"),
}


@pytest.mark.parametrize("kind", sorted(CARDS))
def test_each_broken_card_is_named(kind, tmp_path):
    data, reason = CARDS[kind]
    model = tmp_path / "m.pt"
    model.with_suffix(".json").write_bytes(data)
    with pytest.raises(ModelError, match=reason) as error:
        read_card(model)
    assert "\n" not in str(error.value) and str(model.with_suffix(".json")) in str(error.value)


def test_a_card_that_never_ends_is_refused_unread(tmp_path):
    model = tmp_path / "m.pt"
    for make, reason in ((lambda p: os.mkfifo(p), "is a FIFO"),
                         (lambda p: p.symlink_to("/dev/zero"), "is a device"),
                         (lambda p: p.mkdir(), "is a folder")):
        card = model.with_suffix(".json")
        make(card)
        started = time.monotonic()
        with pytest.raises(ModelError, match=reason):
            read_card(model)
        assert time.monotonic() - started < 1.0
        card.rmdir() if card.is_dir() and not card.is_symlink() else card.unlink()


def test_a_broken_trust_record_trusts_nothing(tmp_path, shipped_model):
    stranger = _changed_copy(shipped_model, tmp_path / "x.pt")
    record = state_dir() / TRUST_FILE
    record.parent.mkdir(parents=True)
    for text in ("[", json.dumps(["0" * 64]), json.dumps({"sha256": "abc"}),
                 json.dumps({"sha256": [digest_of(stranger.read_bytes())[:-1]]})):
        record.write_text(text)
        with pytest.raises(ModelError, match="not a shipped model nor one you trusted"):
            check_trusted(stranger)
