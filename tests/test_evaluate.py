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


def test_evaluate_prints_every_system_per_collection_and_the_goals(tmp_path, capsys,
                                                                   shipped_model):
    out = tmp_path / "eval.json"
    doc = tmp_path / "evaluation.md"
    assert main(["evaluate", "--per-collection", "2", "--json", str(out),
                 "--markdown", str(doc)]) == 0
    printed = capsys.readouterr().out
    for system in ("GAN offline", "GAN live (listening)", "held tonic", "same-bar triad",
                   "previous-bar triad"):
        assert f"| {system} |" in printed
    assert "live >= held tonic + 8" in printed
    payload = json.loads(out.read_text())
    results = payload["results"]
    assert "real Bach" in results["test chorales"]
    assert "average over the collections" in results
    assert all(payload["pieces"][c.name] == 2 for c in EVALUATION)
    for table in results.values():
        for figures in table.values():
            assert 0.0 <= figures["harmonic_agreement"] <= 1.0
            assert 0.0 <= figures["clash"] <= 1.0
            assert figures["chord_variety"] <= 4.0
    assert results["test chorales"]["real Bach"]["distinct_bars"] > 0.95
    assert "coperformer evaluate" in doc.read_text() and "Tuning" in doc.read_text()


def test_evaluate_rejects_an_adventure_out_of_range(capsys, shipped_model):
    assert main(["evaluate", "--adventure", "2", "--no-chorales", "--per-collection", "1"]) == 2
    assert "adventure must be between 0 and 1" in capsys.readouterr().err
