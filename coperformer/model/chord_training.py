"""Train the chord model: cross-entropy on the human chord of the coming half bar (never on any
figure the evaluation reports), checkpointed so that a stopped run resumes; export to .npz
with a JSON card."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from coperformer.common.paths import cache_dir
from coperformer.model.beat_training import BeatConfig, train_beat_harmonizer
from coperformer.model.chord_data import (
    CHORD_DATA_VERSION,
    LEAD_SHEETS,
    SHIFTS,
    emission_counts,
    labelled_sets,
    training_arrays,
)
from coperformer.model.key_training import KeyConfig, train_key_finder
from coperformer.model.next_beat_training import NEXT_BEAT_CONFIG, train_next_beat
from coperformer.music.beat_chords import NextBeatModel
from coperformer.music.beat_harmonizer import BeatHarmonizer
from coperformer.music.chord_model import FEATURES, MINOR_FEATURE, ChordModel
from coperformer.music.chords import QUALITIES, VOCABULARY, chord_index, chord_root
from coperformer.music.key_finder import KeyFinder

CHECKPOINT_EVERY = 500
SMOOTHING = 1.0  # add-one counts for the melody-given-chord table


@dataclass(frozen=True)
class ChordConfig:
    """Training settings of the chord model."""

    steps: int = 3000
    batch: int = 256
    hidden: int = 128
    learning_rate: float = 2e-3
    weight_decay: float = 0.05
    dropout: float = 0.5
    seed: int = 0
    keys: KeyConfig = KeyConfig()  # the key finder, trained first
    beats: BeatConfig = BeatConfig()  # the offline beat harmonizer, trained after it
    next_beat: BeatConfig = NEXT_BEAT_CONFIG  # the live band's next-beat model, trained last


def _network(config: ChordConfig) -> torch.nn.Sequential:
    return torch.nn.Sequential(torch.nn.Dropout(config.dropout / 2),
                               torch.nn.Linear(FEATURES, config.hidden), torch.nn.ReLU(),
                               torch.nn.Dropout(config.dropout),
                               torch.nn.Linear(config.hidden, VOCABULARY))


def checkpoint_path(out: Path) -> Path:
    """Where a run writing ``out`` keeps its checkpoint (the cache folder)."""
    digest = hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:12]
    return cache_dir() / f"chord-train-{out.stem}-{digest}.ckpt"


def fit(arrays: dict[str, np.ndarray], config: ChordConfig, checkpoint: Path,
        resume: bool, log=print) -> torch.nn.Sequential:
    """Adam on the cross-entropy of the human chord; a checkpoint every CHECKPOINT_EVERY
    steps; ``resume`` continues from one (same config) instead of starting again."""
    torch.manual_seed(config.seed)
    net = _network(config)
    optimizer = torch.optim.AdamW(net.parameters(), config.learning_rate,
                                  weight_decay=config.weight_decay)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: 0.5 * (1 + np.cos(np.pi * min(1.0, s / config.steps))))
    generator = torch.Generator().manual_seed(config.seed)
    start = 0
    if resume and checkpoint.exists():
        state = torch.load(checkpoint, weights_only=False)
        if state["config"] != asdict(config):
            raise ValueError(f"{checkpoint}: a checkpoint of other settings; start without "
                             f"--resume")
        net.load_state_dict(state["net"])
        optimizer.load_state_dict(state["optimizer"])
        schedule.load_state_dict(state["schedule"])
        generator.set_state(state["generator"])
        start = state["step"]
        log(f"resumed at step {start}")
    x, y = torch.from_numpy(arrays["x_train"]), torch.from_numpy(arrays["y_train"])
    for step in range(start, config.steps):
        net.train()
        index = torch.randint(0, x.shape[0], (config.batch,), generator=generator)
        loss = torch.nn.functional.cross_entropy(net(x[index]), y[index])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        if (step + 1) % CHECKPOINT_EVERY == 0 or step + 1 == config.steps:
            _save_checkpoint(checkpoint, {"net": net, "optimizer": optimizer,
                                          "schedule": schedule}, generator, step + 1, config)
            log(f"step {step + 1}/{config.steps} loss {loss.item():.3f} "
                f"validation {held_out_figures(net, arrays, 'validation')}")
    return net


def _save_checkpoint(path: Path, parts: dict, generator, step: int,
                     config: ChordConfig) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    state = {name: part.state_dict() for name, part in parts.items()}
    torch.save({**state, "generator": generator.get_state(), "step": step,
                "config": asdict(config)}, tmp)
    tmp.replace(path)


def held_out_figures(net: torch.nn.Sequential, arrays: dict[str, np.ndarray],
                     split: str) -> dict[str, float]:
    """Top-1 and top-3 accuracy, root accuracy and cross-entropy (nats) on a split."""
    net.eval()
    with torch.no_grad():
        logits = net(torch.from_numpy(arrays[f"x_{split}"]))
    y = torch.from_numpy(arrays[f"y_{split}"])
    top = logits.topk(3, dim=1).indices
    roots = np.asarray([chord_root(int(i)) for i in top[:, 0]])
    true_roots = np.asarray([chord_root(int(i)) for i in y])
    return {
        "top1": round(float((top[:, 0] == y).float().mean()), 4),
        "top3": round(float((top == y[:, None]).any(dim=1).float().mean()), 4),
        "root": round(float((roots == true_roots).mean()), 4),
        "cross_entropy": round(float(torch.nn.functional.cross_entropy(logits, y)), 4),
        "examples": int(y.shape[0]),
    }


def tonic_share(arrays: dict[str, np.ndarray], split: str) -> float:
    """Top-1 accuracy of always answering the tonic chord of the key heard (the reference)."""
    minor = arrays[f"x_{split}"][:, MINOR_FEATURE] > 0.5
    tonic = np.where(minor, chord_index(0, "min"), chord_index(0, "maj"))
    return round(float((arrays[f"y_{split}"] == tonic).mean()), 4)


def export(net: torch.nn.Sequential, emission: np.ndarray, beats: BeatHarmonizer,
           next_beat: NextBeatModel, keys: KeyFinder) -> ChordModel:
    """The trained network as the numpy model (dropout has no weights), with the counted
    table as smoothed log-probabilities, the beat harmonizer, the next-beat model and the
    key finder."""
    first, last = net[1], net[4]
    return ChordModel(first.weight.detach().numpy().T.copy(), first.bias.detach().numpy(),
                      last.weight.detach().numpy().T.copy(), last.bias.detach().numpy(),
                      _log_shares(emission), beats, next_beat, keys)


def _log_shares(counts: np.ndarray) -> np.ndarray:
    smoothed = counts + SMOOTHING
    return np.log(smoothed / smoothed.sum(axis=-1, keepdims=True)).astype(np.float32)


def train_chords(out: Path, config: ChordConfig, command: str, resume: bool = False,
                 log=print) -> dict:
    """Train, write ``out`` (.npz) and its JSON card; return the card."""
    torch.set_num_threads(2)
    started = time.perf_counter()
    finder, key_card = train_key_finder(config.keys, log)
    arrays = training_arrays(finder)
    net = fit(arrays, config, checkpoint_path(out), resume, log)
    beats, beat_card = train_beat_harmonizer(config.beats, log)
    next_beat, next_card = train_next_beat(finder, config.next_beat, log)
    model = export(net, emission_counts(labelled_sets()["train"]), beats, next_beat, finder)
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save(out)
    card = {
        "file": out.name,
        "kind": "the listening band's next-chord and next-beat models and the offline beat "
                "harmonizer (numpy MLPs, used by every style)",
        "data": {
            "sources": ["music21 Bach chorales: each beat labelled from the four voices, "
                        "each half bar's chord the longest-sounding",
                        f"chord-symbol tunes of music21's corpus: {', '.join(LEAD_SHEETS)}"],
            "split": "by tune: the chorales as the GAN's split (model/dataset.py); the "
                     "chord-symbol tunes all in test",
            "tunes": {part: int(len(arrays[f"names_{part}"]))
                      for part in ("train", "validation", "test")},
            "examples": {part: int(len(arrays[f"y_{part}"])) for part in ("train", "validation",
                                                                          "test")},
            "example": "a bar's first chord; where the bar may change (the beat at or after "
                       "its middle), also its second half's, from the first half heard",
            "transposition": f"the training tunes in all {len(SHIFTS)} keys; inputs "
                             "and targets are read in the key heard so far",
            "vocabulary": f"12 roots x {', '.join(QUALITIES)}",
            "not_used": "the evaluation and tuning collections (model/collections.py); no "
                        "figure of `coperformer evaluate` is a target",
            "version": CHORD_DATA_VERSION,
        },
        "objective": "cross-entropy on the human chord of the coming bar's first half, and of "
                     "its second half from the first half heard (causal inputs)",
        "command": command,
        "config": asdict(config),
        "wall_seconds": round(time.perf_counter() - started, 1),
        "metrics": {part: held_out_figures(net, arrays, part)
                    for part in ("validation", "test")},
        "tonic_top1": {part: tonic_share(arrays, part) for part in ("validation", "test")},
        "key_finder": key_card,
        "beat_harmonizer": beat_card,
        "next_beat": next_card,
        "sha256": hashlib.sha256(out.read_bytes()).hexdigest(),
    }
    out.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n")
    return card
