"""A MIDI folder read at scale: in parallel, cached per file by content, sharded per rank."""

import json
import os
import socket
import subprocess
import sys
import threading

import numpy as np
import pytest

from coperformer.model import folder_corpus as FC
from coperformer.model.corpus import CorpusError
from tests.midi_helpers import melody_notes, write_midi


def distinct_corpus(folder, count):
    """``count`` two-track files, each with its own bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        write_midi(folder / f"song{i}.mid",
                   [{"channel": 0, "notes": melody_notes(4 + i % 3, low=60 + i)},
                    {"channel": 1, "notes": [(40 + i, b * 4.0, b * 4.0 + 4) for b in range(4)]}])
    return folder


def _folder(tmp_path, count=8):
    folder = distinct_corpus(tmp_path / "corpus", count)
    (folder / "broken.mid").write_bytes(b"MThd not really")
    write_midi(folder / "solo.mid", [{"channel": 0, "notes": melody_notes(4)}])
    return folder


def _same(a: FC.FolderCorpus, b: FC.FolderCorpus) -> bool:
    return (a.names == b.names and a.rejected == b.rejected
            and all((x.band == y.band).all() and (x.melody == y.melody).all()
                    for x, y in zip(a.slots, b.slots, strict=True)))


def test_parallel_reading_equals_one_process_and_names_each_bad_file(tmp_path):
    folder = _folder(tmp_path)
    alone = FC.read_folder(folder, workers=1, cache=tmp_path / "c1")
    parallel = FC.read_folder(folder, workers=2, cache=tmp_path / "c2")
    assert _same(alone, parallel) and alone.parsed == parallel.parsed == 10
    assert len(alone.names) == 8
    assert [name for name, _ in alone.rejected] == ["broken.mid", "solo.mid"]
    assert "no band voices" in alone.rejected[1][1]
    assert alone.summary().startswith("read 10 MIDI files, 2 left out: broken.mid (")


def test_the_cache_is_keyed_on_content_not_on_names(tmp_path):
    folder, cache = _folder(tmp_path), tmp_path / "cache"
    first = FC.read_folder(folder, workers=2, cache=cache)
    assert len(list(cache.iterdir())) == 10  # 8 arrays and 2 reasons
    again = FC.read_folder(folder, workers=2, cache=cache)
    assert again.parsed == 0 and _same(first, again)  # nothing parsed twice
    (folder / "song0.mid").rename(folder / "renamed.mid")  # same bytes: a cache hit
    write_midi(folder / "song1.mid", [{"channel": 0, "notes": melody_notes(6)},
                                      {"channel": 1, "notes": [(48, 0, 24)]}])  # edited
    third = FC.read_folder(folder, workers=1, cache=cache)
    assert third.parsed == 1 and "renamed.mid" in third.names


def test_ranks_read_disjoint_shards_and_assemble_the_same_whole(tmp_path):
    folder, cache = _folder(tmp_path), tmp_path / "cache"
    files = sorted(folder.glob("*.mid"))
    shards = [FC.shard(files, rank, 3) for rank in range(3)]
    assert sorted(sum(shards, [])) == files and not set(shards[0]) & set(shards[1])
    barrier, ranks = threading.Barrier(3), [None] * 3

    def rank_process(rank):  # as torchrun's ranks: read a shard, wait, assemble
        ranks[rank] = FC.read_folder(folder, workers=1, cache=cache, rank=rank, world=3,
                                     barrier=barrier.wait)

    threads = [threading.Thread(target=rank_process, args=(r,)) for r in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.parsed for r in ranks] == [len(s) for s in shards]  # each read only its own
    assert all(_same(ranks[0], r) for r in ranks[1:])
    assert np.concatenate([s.band for s in ranks[0].slots]).shape[0] > 8


def test_the_bench_figure_reads_a_generated_folder_cold_then_warm():
    from coperformer.bench.corpus import BAD_EVERY, corpus_figures

    figures = corpus_figures(BAD_EVERY + 20)
    assert figures["files"] == BAD_EVERY + 20
    assert figures["skipped"] == 1 and figures["usable"] == BAD_EVERY + 19
    assert figures["parsed_warm"] == 0
    assert figures["warm_files_per_s"] > 0 and figures["cold_files_per_s"] > 0


def test_an_unexpected_failure_names_the_file_is_not_cached_and_is_read_again(tmp_path,
                                                                               monkeypatch):
    folder, cache = _folder(tmp_path), tmp_path / "cache"
    real = FC.grid_from_piece

    def fails_on_song3(piece):
        if piece.name == "song3.mid":
            raise RuntimeError("surprise\nsecond line")
        return real(piece)

    monkeypatch.setattr(FC, "grid_from_piece", fails_on_song3)
    first = FC.read_folder(folder, workers=1, cache=cache)  # one process: the patch holds
    assert ("song3.mid", "could not be encoded (RuntimeError: surprise)") in first.rejected
    assert len(first.names) == 7 and len(list(cache.iterdir())) == 9
    monkeypatch.setattr(FC, "grid_from_piece", real)
    again = FC.read_folder(folder, workers=1, cache=cache)
    assert again.parsed == 1 and "song3.mid" in again.names


def test_a_file_that_cannot_be_read_is_a_reason_not_an_error(tmp_path):
    name, result, parsed = FC.read_one(str(tmp_path / "gone.mid"), str(tmp_path),
                                       str(tmp_path))
    assert (name, parsed) == ("gone.mid", False)
    assert result == "cannot be read: No such file or directory"


def test_a_damaged_cache_entry_is_a_miss_and_is_written_again(tmp_path):
    folder, cache = _folder(tmp_path), tmp_path / "cache"
    first = FC.read_folder(folder, workers=2, cache=cache)
    damaged = sorted(cache.glob("*.npz"))[0]
    damaged.write_bytes(damaged.read_bytes()[:40])  # as a crash mid-write would leave it
    again = FC.read_folder(folder, workers=2, cache=cache)
    assert again.parsed == 1 and _same(first, again)
    assert not list(cache.glob("*.tmp")) and len(list(cache.iterdir())) == 10


def test_files_with_the_same_bytes_share_one_entry(tmp_path):
    folder, cache = distinct_corpus(tmp_path / "corpus", 3), tmp_path / "cache"
    for copy in range(4):
        (folder / f"copy{copy}.mid").write_bytes((folder / "song0.mid").read_bytes())
    corpus = FC.read_folder(folder, workers=2, cache=cache)
    assert len(corpus.names) == 7 and len(list(cache.iterdir())) == 3


def test_empty_or_useless_folders_are_one_line_errors(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpusError, match="no .mid files found") as empty:
        FC.read_folder(tmp_path / "empty", cache=tmp_path / "cache")
    useless = tmp_path / "useless"
    useless.mkdir()
    (useless / "a.mid").write_bytes(b"not midi")
    with pytest.raises(CorpusError, match=r"no usable MIDI files \(read 1 MIDI files, 1 left "
                                          r"out: a\.mid \(") as none:
        FC.read_folder(useless, cache=tmp_path / "cache")
    assert "\n" not in str(empty.value) + str(none.value)


def test_reading_workers_default_to_the_cpus_shared_by_local_ranks(monkeypatch):
    monkeypatch.delenv(FC.WORKERS_ENV, raising=False)
    monkeypatch.setenv("LOCAL_WORLD_SIZE", "1")
    alone = FC.default_workers()
    monkeypatch.setenv("LOCAL_WORLD_SIZE", "2")
    assert FC.default_workers() == max(1, alone // 2)
    monkeypatch.setenv("LOCAL_WORLD_SIZE", "10000")
    assert FC.default_workers() == 1
    monkeypatch.setenv(FC.WORKERS_ENV, "3")
    assert FC.default_workers() == 3


RANK_SCRIPT = """
import hashlib, json, sys
import torch.distributed as dist
from coperformer.model import dataset as D, folder_corpus as FC
dist.init_process_group("gloo")
rank, world = dist.get_rank(), dist.get_world_size()
corpus = FC.read_folder(sys.argv[1], workers=1, rank=rank, world=world, barrier=dist.barrier)
bars, rejected = D.load_folder(sys.argv[1])  # as training does: warm now
digest = hashlib.sha256(bars.slots.band.tobytes() + bars.slots.melody.tobytes()).hexdigest()
print(json.dumps({"rank": rank, "parsed": corpus.parsed, "names": bars.names,
                  "rejected": rejected, "digest": digest}))
dist.destroy_process_group()
"""


def test_two_gloo_ranks_read_a_shard_each_and_train_on_the_same_whole(tmp_path):
    folder = _folder(tmp_path)
    files = sorted(folder.glob("*.mid"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "COPERFORMER_CACHE": str(tmp_path / "cache"), "WORLD_SIZE": "2",
           "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port), "OMP_NUM_THREADS": "1"}
    ranks = [subprocess.Popen([sys.executable, "-c", RANK_SCRIPT, str(folder)],
                              env={**env, "RANK": str(r), "LOCAL_RANK": str(r)},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for r in range(2)]
    outputs = [r.communicate(timeout=120) for r in ranks]
    assert all(r.returncode == 0 for r in ranks), outputs
    seen = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    assert [s["parsed"] for s in seen] == [len(FC.shard(files, r, 2)) for r in range(2)]
    assert seen[0]["names"] == seen[1]["names"] and len(seen[0]["names"]) == 8
    assert seen[0]["digest"] == seen[1]["digest"] and len(seen[0]["rejected"]) == 2
    assert "read 10 MIDI files, 2 left out" in outputs[0][1]  # rank 0 says it, once
    assert "left out" not in outputs[1][1]
