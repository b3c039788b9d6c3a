"""A model file is code: shipped and trained models load when they match their card; any
other file only once the user trusts it (and then it stays trusted)."""

import shutil

import pytest

from coperformer.cli.main import main
from coperformer.common.paths import user_models_dir
from coperformer.model.card import update_card
from coperformer.model.errors import ModelError
from coperformer.model.store import load_model
from coperformer.model.trust import check_trusted, trusted_hashes


def test_a_file_from_elsewhere_loads_only_once_trusted(tmp_path, shipped_model, melody_file,
                                                       capsys):
    stranger = tmp_path / "downloaded.pt"
    shutil.copy(shipped_model, stranger)
    with pytest.raises(ModelError, match="a model file is code.*--trust-model"):
        check_trusted(stranger)
    out = tmp_path / "band.mid"
    assert main(["accompany", str(melody_file), "-o", str(out), "--model", str(stranger)]) == 2
    assert "--trust-model" in capsys.readouterr().err and not out.exists()
    assert main(["accompany", str(melody_file), "-o", str(out), "--model", str(stranger),
                 "--trust-model"]) == 0
    assert len(trusted_hashes()) == 1
    check_trusted(stranger)  # remembered by its sha256
    stranger.write_bytes(stranger.read_bytes() + b"\0")  # another file now
    with pytest.raises(ModelError, match="not a shipped or trained model"):
        check_trusted(stranger)


def test_a_trained_model_must_match_its_card(tmp_path, shipped_model):
    folder = user_models_dir()
    folder.mkdir(parents=True)
    mine = folder / "mine.pt"
    shutil.copy(shipped_model, mine)
    with pytest.raises(ModelError, match="not a shipped or trained"):  # no card: not ours
        check_trusted(mine)
    update_card(mine, style="mine")
    assert load_model("mine").path.resolve() == mine.resolve()
    card = mine.with_suffix(".json")
    card.write_text(card.read_text().replace('"sha256": "', '"sha256": "0'))
    with pytest.raises(ModelError, match="does not match the sha256 on its card"):
        check_trusted(mine)


def test_every_shipped_model_matches_its_card(shipped_model, second_style):
    for model in (shipped_model, second_style):
        check_trusted(model)
