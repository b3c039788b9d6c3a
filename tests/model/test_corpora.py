"""The second style's corpus: music21's Palestrina masses, read and split by work."""

from coperformer.model import dataset as D
from coperformer.model.corpus import load_mass_section, palestrina_names, palestrina_works


def test_split_by_work_keeps_every_section_of_a_work_together():
    works = {f"w{w}/s{s}": f"work {w}" for w in range(40) for s in range(w % 4 + 1)}
    split = D.split_by_work(works)
    assert split == D.split_by_work(dict(reversed(list(works.items()))))  # order-free
    assert sorted(sum(split.values(), [])) == sorted(works)  # each section exactly once
    for part, names in split.items():
        others = [n for p, ns in split.items() if p != part for n in ns]
        assert not {works[n] for n in names} & {works[n] for n in others}


def test_palestrina_sections_are_grouped_by_their_mass():
    names, works = palestrina_names(), palestrina_works()
    assert len(names) > 400 and sorted(works) == names
    assert 80 < len(set(works.values())) < len(names)  # masses of several sections each
    split = D.corpus_split("palestrina", names)
    train = {works[n] for n in split["train"]}
    assert not train & {works[n] for n in split["test"] + split["validation"]}


def test_a_mass_section_is_read_with_the_half_note_as_the_beat():
    from music21 import corpus

    name = "palestrina/Kyrie_02.krn"
    piece = load_mass_section(name)
    assert len(piece.band) == 3 and all(piece.band)
    assert {str(bar.meter) for bar in piece.bars} == {"4/4"}
    score = corpus.parse(name)
    top = [n for n in score.parts[0].stripTies().flatten().notes]
    assert [n.duration for n in piece.melody[:5]] == [
        float(n.duration.quarterLength) / 2 for n in top[:5]]
    assert abs(piece.bars[-1].end - float(score.highestTime) / 2) < 4  # the whole mass section


def test_the_chorale_split_is_the_one_the_shipped_model_was_trained_on():
    names = [f"bach/bwv{i}" for i in range(50)]
    assert D.corpus_split("bach", names) == D.split_names(names)
