import json
import os
import subprocess
import sys

import torch

from coperformer.cli.main import main
from tests.model.test_dataset import make_midi_corpus


def test_train_on_a_midi_folder_writes_model_card_and_resumes(tmp_path, capsys):
    corpus = make_midi_corpus(tmp_path / "corpus", 10)
    out = tmp_path / "models" / "tiny.pt"
    args = ["train", "--corpus", str(corpus), "--out", str(out), "--steps", "3", "--batch", "8",
            "--critic-steps", "2", "--checkpoint-every", "2"]
    assert main(args) == 0
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["training"]["steps"] == 3
    assert card["training"]["wall_seconds"] > 0
    assert set(card["split"]) >= {"train", "validation", "test", "seed"}
    assert len(card["sha256"]) == 64
    from coperformer.model.trust import trusted_hashes

    assert card["sha256"] in trusted_hashes()  # the user's own command: their record trusts it
    state = torch.load(out.with_suffix(".ckpt"), weights_only=True)
    assert state["step"] == 3 and "generator" in state and "opt_d" in state
    more = [a if a != "3" else "5" for a in args]
    assert main(more + ["--resume"]) == 0
    assert "resumed from" in capsys.readouterr().err
    assert torch.load(out.with_suffix(".ckpt"), weights_only=True)["step"] == 5
    resumed = json.loads(out.with_suffix(".json").read_text())["training"]
    assert resumed["resumed"] and resumed["wall_seconds"] > card["training"]["wall_seconds"]


def test_train_reports_a_bad_corpus_in_one_line(tmp_path, capsys):
    assert main(["train", "--corpus", str(tmp_path), "--out", str(tmp_path / "x.pt")]) == 2
    assert "no .mid files" in capsys.readouterr().err


def test_torchrun_two_cpu_processes_keep_replicas_in_sync(tmp_path):
    corpus = make_midi_corpus(tmp_path / "corpus", 10)
    out = tmp_path / "ddp.pt"
    env = {**os.environ, "COPERFORMER_CACHE": str(tmp_path / "cache"), "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
               "--master_port", "29533", "-m", "coperformer.cli", "train", "--corpus",
               str(corpus), "--out", str(out), "--steps", "3", "--batch", "4",
               "--critic-steps", "1"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "replicas agree: True" in result.stderr
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["training"]["processes"] == 2
