"""GAN training: WGAN-GP critic, generator with reconstruction and feature matching; DDP-ready."""

from __future__ import annotations

import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as TF
from torch.nn.parallel import DistributedDataParallel

from coperformer.model import dataset as D
from coperformer.model.network import Critic, Generator, band_input, hard_band
from coperformer.music import features as F


@dataclass
class TrainConfig:
    """Hyper-parameters of one training run (all recorded in the model card)."""

    corpus: str = "bach"
    steps: int = 3000
    batch: int = 64
    critic_steps: int = 5
    lr: float = 1e-3
    betas: tuple[float, float] = (0.5, 0.9)
    gradient_penalty: float = 10.0
    adversarial_weight: float = 0.1
    feature_matching_weight: float = 0.1
    live_fraction: float = 0.5
    band_context_dropout: float = 0.3
    consonance_weight: float = 1.0
    seed: int = 0
    checkpoint_every: int = 200
    eval_every: int = 200


@dataclass
class Run:
    """The live objects of a training run."""

    generator: torch.nn.Module
    critic: torch.nn.Module
    opt_g: torch.optim.Optimizer
    opt_d: torch.optim.Optimizer
    device: torch.device
    rank: int
    world: int
    step: int = 0
    seconds_before: float = 0.0  # training time spent before a --resume


def setup_distributed() -> tuple[int, int, torch.device]:
    """Join the torchrun process group if there is one (gloo on CPU, NCCL on GPU)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world == 1:
        return 0, 1, torch.device("cuda" if torch.cuda.is_available() else "cpu")
    use_cuda = torch.cuda.is_available()
    dist.init_process_group("nccl" if use_cuda else "gloo")
    rank = dist.get_rank()
    if use_cuda:
        local = int(os.environ.get("LOCAL_RANK", "0"))
        torch.cuda.set_device(local)
        return rank, world, torch.device("cuda", local)
    return rank, world, torch.device("cpu")


def build_run(config: TrainConfig) -> Run:
    """Models and optimizers, identical on every rank, wrapped in DDP when distributed."""
    rank, world, device = setup_distributed()
    torch.manual_seed(config.seed)
    generator, critic = Generator().to(device), Critic().to(device)
    if world > 1:
        generator = DistributedDataParallel(generator)
        critic = DistributedDataParallel(critic)
    opt_g = torch.optim.Adam(generator.parameters(), lr=config.lr, betas=config.betas)
    opt_d = torch.optim.Adam(critic.parameters(), lr=config.lr, betas=config.betas)
    return Run(generator, critic, opt_g, opt_d, device, rank, world)


def bare(module: torch.nn.Module) -> torch.nn.Module:
    """The module inside a DDP wrapper (or the module itself)."""
    return module.module if isinstance(module, DistributedDataParallel) else module


def to_tensors(batch: D.Batch, device: torch.device, rng: np.random.Generator, live: float,
               band_dropout: float = 0.0):
    """Batch arrays as tensors; some samples are made live (current melody hidden), some lose
    the band of their context (so the model leans on the melody, not on its own echo)."""
    count = batch.melody.shape[0]
    is_live = rng.random(count) < live
    melody = batch.melody.copy()
    melody[is_live, :-1] = 0.0  # keep only the 'valid' channel: bar length is known live
    mode = (~is_live).astype(np.float32)[:, None]
    context = batch.context
    drop = rng.random(count) < band_dropout
    if drop.any():
        context = context.copy()
        context[drop, F.MELODY_CLASSES + 1 : -1] = 0.0
    t = {
        "context": context, "melody": melody, "meter": batch.meter, "mode": mode,
        "profile": batch.profile, "melody_pc": batch.melody_pc,
        "band_class": batch.band_class, "band_onset": batch.band_onset, "valid": batch.valid,
    }
    return {k: torch.from_numpy(np.ascontiguousarray(v)).to(device) for k, v in t.items()}


def real_band(t: dict) -> torch.Tensor:
    """The real band bar as critic input (one-hot pitches and onsets)."""
    hot = TF.one_hot(t["band_class"], num_classes=49).float().permute(0, 1, 3, 2)
    return band_input(hot, t["band_onset"])


def condition(t: dict) -> tuple:
    """The condition tensors in argument order."""
    return t["context"], t["melody"], t["meter"], t["mode"], t["profile"]


def noise_like(t: dict, device: torch.device) -> torch.Tensor:
    """Standard normal noise for a batch."""
    return torch.randn(t["context"].shape[0], F.NOISE_SIZE, device=device)


def critic_step(run: Run, t: dict, config: TrainConfig) -> float:
    """One WGAN-GP critic update; returns the Wasserstein estimate."""
    with torch.no_grad():
        pitch, onset = run.generator(*condition(t), noise_like(t, run.device))
        fake = band_input(*hard_band(pitch, onset))
    real = real_band(t)
    alpha = torch.rand(real.shape[0], 1, 1, device=run.device)
    mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    cond = [torch.cat([c, c, c]) for c in condition(t)]
    scores, _ = run.critic(*cond, torch.cat([real, fake, mixed]))
    s_real, s_fake, s_mixed = scores.chunk(3)
    grad = torch.autograd.grad(s_mixed.sum(), mixed, create_graph=True)[0]
    penalty = ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()
    loss = s_fake.mean() - s_real.mean() + config.gradient_penalty * penalty
    loss = loss + 1e-3 * (s_real**2).mean()
    run.opt_d.zero_grad(set_to_none=True)
    loss.backward()
    run.opt_d.step()
    return float((s_real.mean() - s_fake.mean()).detach())


def reconstruction(pitch: torch.Tensor, onset: torch.Tensor, t: dict) -> torch.Tensor:
    """Cross-entropy on pitches plus onset BCE where the real band sounds."""
    ce = TF.cross_entropy(pitch.transpose(1, 2), t["band_class"])
    sounding = (t["band_class"] > 0).float()
    bce = TF.binary_cross_entropy_with_logits(onset, t["band_onset"], weight=sounding)
    return ce + bce


DISSONANT_OVER_BAND = (1, 2, 6, 10, 11)  # melody minus band note, mod 12
DISSONANT_OVER_BASS = DISSONANT_OVER_BAND + (5,)


def dissonance_table(intervals: tuple[int, ...]) -> torch.Tensor:
    """[13, BAND_CLASSES]: 1 where a band class clashes with a melody pitch class (row 12: rest)."""
    table = torch.zeros(13, F.BAND_CLASSES)
    for melody_pc in range(12):
        for cls in range(1, F.BAND_CLASSES):
            band_pc = (F.BAND_LOW + cls - 1) % 12
            table[melody_pc, cls] = float((melody_pc - band_pc) % 12 in intervals)
    return table


TABLES = torch.stack([dissonance_table(DISSONANT_OVER_BAND), dissonance_table(DISSONANT_OVER_BAND),
                      dissonance_table(DISSONANT_OVER_BASS)])


def consonance_loss(pitch: torch.Tensor, t: dict) -> torch.Tensor:
    """Expected share of band probability that clashes with the bar's real melody.

    In live mode the generator never sees that melody: this teaches it to choose harmonies
    that are likely to fit what the player is about to play.
    """
    probs = torch.softmax(pitch, dim=2)  # N, 3, C, S
    rows = torch.where(t["melody_pc"] < 0, 12, t["melody_pc"])  # N, S
    tables = TABLES.to(pitch.device)
    clash = torch.stack([tables[v][rows] for v in range(3)], dim=1)  # N, 3, S, C
    expected = (probs * clash.permute(0, 1, 3, 2)).sum(dim=2)  # N, 3, S
    sounding = (t["melody_pc"] >= 0).float().unsqueeze(1)
    return (expected * sounding).sum() / (3 * sounding.sum()).clamp(min=1.0)


def generator_step(run: Run, t: dict, config: TrainConfig) -> tuple[float, float]:
    """One generator update; returns (reconstruction loss, adversarial loss)."""
    pitch, onset = run.generator(*condition(t), noise_like(t, run.device))
    fake = band_input(*hard_band(pitch, onset))
    cond = [torch.cat([c, c]) for c in condition(t)]
    scores, feats = run.critic(*cond, torch.cat([fake, real_band(t)]))
    s_fake, _ = scores.chunk(2)
    f_fake, f_real = feats.chunk(2)
    adversarial = -s_fake.mean()
    matching = ((f_fake.mean(0) - f_real.detach().mean(0)) ** 2).mean()
    rec = reconstruction(pitch, onset, t)
    loss = rec + config.adversarial_weight * adversarial + config.feature_matching_weight * matching
    loss = loss + config.consonance_weight * consonance_loss(pitch, t)
    run.opt_g.zero_grad(set_to_none=True)
    loss.backward()
    run.opt_g.step()
    return float(rec.detach()), float(adversarial.detach())


@torch.no_grad()
def validate(run: Run, batch: D.Batch) -> dict[str, float]:
    """Reconstruction loss and pitch accuracy on fixed validation bars, offline and live."""
    out = {}
    generator = bare(run.generator).eval()
    for name, live in (("offline", 0.0), ("live", 1.0)):
        t = to_tensors(batch, run.device, np.random.default_rng(0), live)
        pitch, onset = generator(*condition(t), torch.zeros(batch.melody.shape[0], F.NOISE_SIZE))
        out[f"val_{name}_loss"] = float(reconstruction(pitch, onset, t))
        out[f"val_{name}_pitch_acc"] = float((pitch.argmax(2) == t["band_class"]).float().mean())
    generator.train()
    return out


def checkpoint_path(out: Path) -> Path:
    """Where the checkpoint of a model file lives."""
    return out.with_suffix(".ckpt")


def save_checkpoint(run: Run, path: Path, config: TrainConfig, seconds: float = 0.0) -> None:
    """A plain state dict, loadable with weights_only=True."""
    state = {
        "generator": bare(run.generator).state_dict(),
        "critic": bare(run.critic).state_dict(),
        "opt_g": run.opt_g.state_dict(),
        "opt_d": run.opt_d.state_dict(),
        "step": run.step,
        "wall_seconds": run.seconds_before + seconds,
        "config": {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(config).items()},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".ckpt.tmp")
    torch.save(state, tmp)
    tmp.replace(path)


def load_checkpoint(run: Run, path: Path) -> None:
    """Restore models, optimizers and the step count."""
    state = torch.load(path, map_location=run.device, weights_only=True)
    bare(run.generator).load_state_dict(state["generator"])
    bare(run.critic).load_state_dict(state["critic"])
    run.opt_g.load_state_dict(state["opt_g"])
    run.opt_d.load_state_dict(state["opt_d"])
    run.step = int(state["step"])
    run.seconds_before = float(state.get("wall_seconds", 0.0))


def log(run: Run, text: str) -> None:
    """Print on rank 0 only."""
    if run.rank == 0:
        print(text, file=sys.stderr, flush=True)
