"""Training the listening band's reward model through the real pipeline (a quick run)."""

import json

import numpy as np

from coperformer.cli.main import main
from coperformer.music.listening import CANDIDATES, FEATURES, RewardModel


def test_train_planner_writes_a_usable_model_and_its_card(tmp_path, capsys):
    out = tmp_path / "listener.npz"
    assert main(["train-planner", "--out", str(out), "--steps", "30", "--melodies", "3"]) == 0
    assert "chosen_points=" in capsys.readouterr().out
    model = RewardModel.load(out)
    assert model.scores(np.zeros(FEATURES, np.float32)).shape == (CANDIDATES,)
    card = json.loads(out.with_suffix(".json").read_text())
    for key in ("data", "command", "config", "wall_seconds", "metrics", "sha256"):
        assert key in card
    assert card["config"]["steps"] == 30 and card["data"]["train_bars"] > 0
    assert "not_used" in card["data"]
