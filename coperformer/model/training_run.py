"""A training run behind `coperformer train`: data, the loop over the GAN steps of train.py,
progress bar, checkpoints, export and the model card (the training process's main thread)."""

from __future__ import annotations

import shlex
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from coperformer.common.proc import machine
from coperformer.model import dataset as D
from coperformer.model.card import update_card
from coperformer.model.export import export_generator
from coperformer.model.train import (
    Run,
    TrainConfig,
    bare,
    build_run,
    checkpoint_path,
    critic_step,
    generator_step,
    load_checkpoint,
    log,
    save_checkpoint,
    to_tensors,
    validate,
)
from coperformer.model.trust import trust


def prepare_data(config: TrainConfig) -> tuple[D.BarSet, D.BarSet, dict, list[str]]:
    """Load the corpus and return train bars, validation bars, the split and rejections."""
    bars, rejected = D.load_corpus(config.corpus)
    split = D.corpus_split(config.corpus, bars.names)
    return bars.subset(split["train"]), bars.subset(split["validation"]), split, rejected


def validation_batch(bars: D.BarSet, limit: int = 768) -> D.Batch:
    """A fixed validation batch in the original keys."""
    index = np.arange(min(limit, bars.bars))
    return D.make_batch(bars, index, np.zeros_like(index))


def replicas_agree(run: Run) -> bool:
    """True when every process holds the same generator and critic weights."""
    import torch.distributed as dist

    flat = torch.cat([p.detach().flatten() for m in (run.generator, run.critic)
                      for p in m.parameters()]).cpu().double()
    mine = torch.stack([flat.sum(), flat.abs().sum(), (flat * flat).sum()])
    everyone = [torch.zeros_like(mine) for _ in range(run.world)]
    dist.all_gather(everyone, mine)
    return all(torch.allclose(mine, other, rtol=1e-9, atol=1e-9) for other in everyone)


def _tensors(train: D.BarSet, rng: np.random.Generator, run: Run, config: TrainConfig) -> dict:
    batch = D.sample_batch(train, config.batch, rng)
    return to_tensors(batch, run.device, rng, config.live_fraction, config.band_context_dropout)


def _iteration(run: Run, train: D.BarSet, rng: np.random.Generator, config: TrainConfig):
    wasserstein = 0.0
    for _ in range(config.critic_steps):
        wasserstein = critic_step(run, _tensors(train, rng, run, config), config)
    t = _tensors(train, rng, run, config)
    rec, adv = generator_step(run, t, config)
    return {"W": wasserstein, "rec": rec, "adv": adv}


Progress = Callable[[int, int, dict[str, float], float], None]  # step, steps, losses, seconds


def run_training(config: TrainConfig, out: Path, resume: bool,
                 progress: Progress | None = None) -> dict:
    """Train, checkpointing as it goes; export the generator and write the card on rank 0
    (``progress`` hears of every step there)."""
    torch.set_num_threads(max(1, torch.get_num_threads()))
    run = build_run(config)
    ckpt = checkpoint_path(out)
    if resume and ckpt.exists():
        load_checkpoint(run, ckpt)
        log(run, f"resumed from {ckpt} at step {run.step}")
    train_bars, val_bars, split, rejected = prepare_data(config)
    val_batch = validation_batch(val_bars)
    rng = np.random.default_rng([config.seed, run.rank, run.step])
    started = time.perf_counter()
    bar = tqdm(total=config.steps, initial=run.step, disable=run.rank != 0, file=sys.stderr,
               dynamic_ncols=True, desc="train")
    scores: dict[str, float] = {}
    while run.step < config.steps:
        losses = _iteration(run, train_bars, rng, config)
        run.step += 1
        bar.update(1)
        bar.set_postfix({k: f"{v:.3f}" for k, v in losses.items()})
        if progress and run.rank == 0:
            progress(run.step, config.steps, losses, time.perf_counter() - started)
        if run.step % config.eval_every == 0 or run.step == config.steps:
            scores = validate(run, val_batch)
            bar.write(" ".join(f"{k}={v:.3f}" for k, v in scores.items()), file=sys.stderr)
        if run.rank == 0 and (run.step % config.checkpoint_every == 0 or run.step == config.steps):
            save_checkpoint(run, ckpt, config, time.perf_counter() - started)
    bar.close()
    seconds = time.perf_counter() - started
    if run.world > 1:
        log(run, f"replicas agree: {replicas_agree(run)}")
        torch.distributed.destroy_process_group()
    if run.rank == 0:
        out.parent.mkdir(parents=True, exist_ok=True)
        export_generator(bare(run.generator).cpu(), out, out.stem, config.corpus)
        _write_card(out, config, split, rejected, scores, seconds, run, train_bars)
        trust(out)  # the user's own command wrote it: their record trusts it, not its card
    return {"steps": run.step, "seconds": seconds, **scores}


def machine_line() -> str:
    """The CPU, its core count and torch's thread count."""
    return f"{machine()}, torch threads {torch.get_num_threads()}"


def _write_card(out, config, split, rejected, scores, seconds, run, train_bars) -> None:
    update_card(
        out,
        style=out.stem,
        data={
            "corpus": D.describe_corpus(config.corpus),
            "pieces": {k: len(v) for k, v in split.items()},
            "train_bars": train_bars.bars,
            "rejected": rejected,
            "augmentation": "transposition to all 12 keys (-6..+5 semitones)",
        },
        split={"seed": D.SPLIT_SEED, "fractions": list(D.SPLIT_FRACTIONS), **split},
        training={
            "command": "coperformer " + shlex.join(sys.argv[1:]) if sys.argv else "",
            "config": {k: list(v) if isinstance(v, tuple) else v
                       for k, v in asdict(config).items()},
            "steps": run.step,
            "processes": run.world,
            "wall_seconds": round(run.seconds_before + seconds, 1),
            "resumed": run.seconds_before > 0,
            "machine": machine_line(),
            "torch": torch.__version__,
        },
        validation=scores,
    )
