"""`coperformer evaluate` through the real model on held-out chorales and folk songs."""

import json

from coperformer.cli.main import main
from coperformer.model import dataset as D


def test_test_chorales_are_never_training_chorales():
    bars, _ = D.load_corpus("bach")
    split = D.split_names(bars.names)
    assert not set(split["test"]) & set(split["train"])
    assert len(split["test"]) >= 30


def test_evaluate_prints_the_table_and_writes_json(tmp_path, capsys, shipped_model):
    out = tmp_path / "eval.json"
    doc = tmp_path / "evaluation.md"
    assert main(["evaluate", "--folk", "30", "--json", str(out), "--markdown", str(doc)]) == 0
    printed = capsys.readouterr().out
    assert "| GAN offline |" in printed and "| previous-bar triad |" in printed
    payload = json.loads(out.read_text())
    chorales = payload["results"]["test chorales"]
    folk = payload["results"]["folk melodies (out of style)"]
    assert "real Bach" in chorales and "real Bach" not in folk
    assert payload["pieces"]["folk melodies (out of style)"] == 30
    for table in (chorales, folk):
        for figures in table.values():
            assert 0.0 <= figures["harmonic_agreement"] <= 1.0
            assert 0.0 <= figures["distinct_bars"] <= 1.0
    assert chorales["real Bach"]["distinct_bars"] > 0.95
    assert "coperformer evaluate" in doc.read_text()
