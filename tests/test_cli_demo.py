"""`coperformer demo` on a cold corpus cache: the chorales the corpus leaves out are counted in
one line (named one by one only with --verbose). Real music21 corpus, model and FluidSynth."""

import re

import pytest

from coperformer.cli.main import main
from coperformer.model.dataset import NAMED_REJECTIONS, load_corpus, say_rejected


@pytest.mark.slow
def test_demo_counts_the_pieces_it_leaves_out_in_one_line(tmp_path, capsys, monkeypatch,
                                                          shipped_model):
    monkeypatch.setenv("COPERFORMER_CACHE", str(tmp_path / "cache"))  # the corpus read anew
    assert main(["demo", "--out", str(tmp_path / "demo")]) == 0
    err = capsys.readouterr().err.splitlines()
    skipped = [line for line in err if "skipped" in line]
    assert len(skipped) == 1, skipped
    counted = re.match(r"skipped (\d+) of (\d+) bach pieces \((.*)\)$", skipped[0])
    assert counted, skipped[0]
    _, rejected = load_corpus("bach")  # from the cache just written
    assert int(counted[1]) == len(rejected) > NAMED_REJECTIONS
    assert counted[3].startswith(rejected[0])
    assert f"and {len(rejected) - NAMED_REJECTIONS} more" in counted[3]

    say_rejected("bach", 10, rejected, verbose=True)
    lines = capsys.readouterr().err.splitlines()
    assert lines == [f"skipped {message}" for message in rejected]


def test_demo_takes_verbose(capsys):
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    assert "--verbose" in capsys.readouterr().out
