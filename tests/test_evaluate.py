"""`coperformer evaluate` through the real model on held-out chorales and folk collections."""

import json

from coperformer.cli.main import main
from coperformer.model import dataset as D
from coperformer.model.collections import EVALUATION, PLANNER_TRAINING, TUNING


def test_test_chorales_are_never_training_chorales():
    bars, _ = D.load_corpus("bach")
    split = D.split_names(bars.names)
    assert not set(split["test"]) & set(split["train"])
    assert len(split["test"]) >= 30


def test_evaluation_tuning_and_training_collections_never_overlap():
    sources = [set(c.sources) for group in (EVALUATION, TUNING, PLANNER_TRAINING)
               for c in group]
    flat = [s for group in sources for s in group]
    assert len(flat) == len(set(flat))
    assert len(EVALUATION) >= 5
    assert any("ryansMammoth" in s for c in EVALUATION for s in c.sources)  # dance tunes


def test_evaluate_prints_every_system_the_human_reference_and_the_goals(tmp_path, capsys,
                                                                       shipped_model):
    out = tmp_path / "eval.json"
    doc = tmp_path / "evaluation.md"
    assert main(["evaluate", "--per-collection", "2", "--json", str(out),
                 "--markdown", str(doc)]) == 0
    printed = capsys.readouterr().out
    for system in ("GAN offline", "GAN live (listening)", "held tonic", "same-bar triad",
                   "previous-bar triad", "human labels"):
        assert f"| {system} |" in printed
    assert "live note-in-chord >= held tonic + 8" in printed
    assert "| degrees (share of beats) | I |" in printed
    payload = json.loads(out.read_text())
    results = payload["results"]
    assert "human labels" in results["test chorales"]
    assert "human labels" in results["lead-sheet tunes"]
    assert "average over the collections" in results
    assert all(payload["pieces"][c.name] == 2 for c in EVALUATION)
    human = results["test chorales"]["human labels"]
    assert human["root_agreement"] == 1.0 and human["symbol_agreement"] == 1.0
    assert human["degree_tv"] == 0.0 and human["note_in_chord"] > 0.9  # Bach's own chords
    for table in results.values():
        for figures in table.values():
            assert 0.0 <= figures["note_in_chord"] <= 1.0
            assert 0.0 <= figures["clash"] <= 1.0
            assert 0.0 <= figures["v_share"] <= 1.0
    tonic = results["test chorales"]["held tonic"]
    assert tonic["changes_per_bar"] < human["changes_per_bar"]
    assert "coperformer evaluate" in doc.read_text() and "Tuning" in doc.read_text()


def test_evaluate_rejects_an_adventure_out_of_range(capsys, shipped_model):
    assert main(["evaluate", "--adventure", "2", "--no-chorales", "--per-collection", "1"]) == 2
    assert "adventure must be between 0 and 1" in capsys.readouterr().err
