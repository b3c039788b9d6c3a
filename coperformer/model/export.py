"""Self-describing TorchScript export of the generator (metadata travels in the file)."""

from __future__ import annotations

import io
import json
import warnings
from pathlib import Path

import torch
from torch import nn

from coperformer.model.network import Generator
from coperformer.music import features as F
from coperformer.music.meter import METER_CODES, STEPS_PER_QUARTER

STYLE_VOICES = {  # a corpus's band: its voices' track names and GM programs (0-based)
    "bach": (("Alto", "Tenor", "Bass"), (48, 48, 42)),  # string ensemble x2, cello
    "palestrina": (("Altus", "Tenor", "Bassus"), (52, 53, 52)),  # choir aahs, voice oohs
}
FORMAT_VERSION = 1


def style_voices(corpus: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The band voices a style trained on ``corpus`` plays with (a MIDI folder: the strings)."""
    return STYLE_VOICES.get(corpus, STYLE_VOICES["bach"])


def model_metadata(style: str = "bach", corpus: str = "bach") -> dict:
    """What a runtime needs to know to feed and read the model."""
    names, programs = style_voices(corpus)
    return {
        "format": FORMAT_VERSION,
        "style": style,
        "steps_per_beat": STEPS_PER_QUARTER,
        "bar_steps": 16,
        "melody_range": [F.MELODY_LOW, F.MELODY_LOW + F.MELODY_SIZE - 1],
        "band_range": [F.BAND_LOW, F.BAND_LOW + F.BAND_SIZE - 1],
        "track_names": list(names),
        "gm_programs": list(programs),
        "context_bars": F.CONTEXT_BARS,
        "noise_size": F.NOISE_SIZE,
        "meters": list(METER_CODES),
        "modes": ["live", "offline"],
        "channels": {"context": F.CONTEXT_CHANNELS, "melody": F.MELODY_CHANNELS},
        "inputs": ["context", "melody", "meter", "mode", "profile", "noise"],
    }


class ExportedGenerator(nn.Module):
    """The generator plus its metadata, ready for torch.jit.script (the exporting thread)."""

    def __init__(self, generator: Generator, metadata: dict):
        super().__init__()
        self.generator = generator
        self.metadata_json = json.dumps(metadata, sort_keys=True)

    def forward(self, context, melody, meter, mode, profile, noise):
        """Pitch logits [N, 3, C, 16] and onset logits [N, 3, 16]."""
        return self.generator(context, melody, meter, mode, profile, noise)

    @torch.jit.export
    def metadata(self) -> str:
        """The model's metadata as JSON."""
        return self.metadata_json


def export_generator(generator: Generator, path: str | Path, style: str = "bach",
                     corpus: str = "bach") -> Path:
    """Script the generator with its metadata and save it to ``path``."""
    generator = generator.eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        scripted = torch.jit.script(ExportedGenerator(generator, model_metadata(style, corpus)))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    buffer = io.BytesIO()  # torch takes only UTF-8 file names; Python writes any name
    torch.jit.save(scripted, buffer)
    tmp.write_bytes(buffer.getvalue())
    tmp.replace(path)
    return path
