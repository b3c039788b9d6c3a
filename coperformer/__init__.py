"""coperformer: a real-time MIDI co-performer driven by a conditional GAN."""

import os

# numpy's BLAS on one thread (set before numpy loads; a user's own setting wins): the band's
# numpy bars run beside the audio, MIDI and GUI threads, and OpenBLAS's helper threads on a
# busy 2-core machine made a 2 ms bar take 30-100 ms (torch runs on one thread likewise)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
