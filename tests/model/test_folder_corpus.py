"""A MIDI folder read at scale: in parallel, cached per file by content, sharded per rank."""

import threading

import numpy as np

from coperformer.model import folder_corpus as FC
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
