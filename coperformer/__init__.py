"""coperformer: a real-time MIDI co-performer driven by a conditional GAN."""

__version__ = "0.1.0"
