"""A JACK capture client: records what other clients play, with the time of every frame.

Run as its own process (``python -m coperformer.synth.jack_capture NAME SOURCE... --out F``):
a JACK client inside a process that also holds rtmidi or FluidSynth clients crashed it in CI.
It connects its two inputs to the source ports (waiting for them to appear), records until
its stdin closes, then writes a stereo 16-bit WAV and, beside it, ``F.json``: the sample rate
and the time of the first recorded frame on ``time.perf_counter_ns``'s clock. Used by the
tests and ``coperformer bench`` to hear the live audio path as a listener would.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import sys
import threading
import time
import wave
from pathlib import Path

import numpy as np

NO_START_SERVER = 0x01
PORT_IS_INPUT = 0x1
AUDIO_TYPE = b"32 bit float mono audio"
PROCESS = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_uint32, ctypes.c_void_p)
MAX_SECONDS = 600


def _libjack() -> ctypes.CDLL:
    """libjack with the signatures this client uses."""
    lib = ctypes.CDLL("libjack.so.0")
    p, u32, u64 = ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint64
    signatures = {
        "jack_client_open": ([ctypes.c_char_p, ctypes.c_int, p], p),
        "jack_port_register": ([p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong,
                                ctypes.c_ulong], p),
        "jack_set_process_callback": ([p, PROCESS, p], ctypes.c_int),
        "jack_activate": ([p], ctypes.c_int),
        "jack_deactivate": ([p], ctypes.c_int),
        "jack_client_close": ([p], ctypes.c_int),
        "jack_port_get_buffer": ([p, u32], p),
        "jack_last_frame_time": ([p], u32),
        "jack_frames_to_time": ([p, u32], u64),
        "jack_get_time": ([], u64),
        "jack_get_sample_rate": ([p], u32),
        "jack_connect": ([p, ctypes.c_char_p, ctypes.c_char_p], ctypes.c_int),
        "jack_port_name": ([p], ctypes.c_char_p),
        "jack_port_by_name": ([p, ctypes.c_char_p], p),
    }
    for name, (args, result) in signatures.items():
        function = getattr(lib, name)
        function.argtypes, function.restype = args, result
    return lib


class Capture:
    """Two JACK input ports recording into memory from the process callback."""

    def __init__(self, name: str, max_seconds: float = MAX_SECONDS):
        self.lib = _libjack()
        self.client = self.lib.jack_client_open(name.encode(), NO_START_SERVER, None)
        if not self.client:
            raise RuntimeError("no JACK server to capture from")
        self.rate = self.lib.jack_get_sample_rate(self.client)
        self.ports = [self.lib.jack_port_register(self.client, side.encode(), AUDIO_TYPE,
                                                  PORT_IS_INPUT, 0) for side in ("in_l", "in_r")]
        self.audio = np.zeros((int(max_seconds * self.rate), 2), np.float32)
        self.frames = 0
        self.first_frame: int | None = None
        self._callback = PROCESS(self._process)  # kept alive as long as the client
        self.lib.jack_set_process_callback(self.client, self._callback, None)
        self.lib.jack_activate(self.client)

    def _process(self, nframes: int, _arg) -> int:
        """JACK's process thread: copy this cycle's frames."""
        if self.first_frame is None:
            self.first_frame = self.lib.jack_last_frame_time(self.client)
        end = min(self.frames + nframes, len(self.audio))
        count = end - self.frames
        for column, port in enumerate(self.ports):
            buffer = self.lib.jack_port_get_buffer(port, nframes)
            data = np.ctypeslib.as_array(ctypes.cast(buffer, ctypes.POINTER(ctypes.c_float)),
                                         (nframes,))
            self.audio[self.frames:end, column] = data[:count]
        self.frames = end
        return 0

    def connect(self, sources: list[str], timeout_s: float) -> None:
        """Connect each source port to an input (left, right, repeating), once it exists."""
        deadline = time.monotonic() + timeout_s
        for index, source in enumerate(sources):
            while not self.lib.jack_port_by_name(self.client, source.encode()):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"no JACK port {source}")
                time.sleep(0.01)
            own = self.lib.jack_port_name(self.ports[index % 2])
            self.lib.jack_connect(self.client, source.encode(), own)

    def start_ns(self) -> int:
        """The first recorded frame's time on perf_counter_ns's clock (JACK's time is in
        microseconds on its own clock; the offset between them is read here)."""
        offset_us = time.perf_counter_ns() / 1000 - self.lib.jack_get_time()
        return round((self.lib.jack_frames_to_time(self.client, self.first_frame or 0)
                      + offset_us) * 1000)

    def close(self, out: Path) -> None:
        """Stop recording; write the WAV and its JSON."""
        start_ns = self.start_ns()
        self.lib.jack_deactivate(self.client)
        self.lib.jack_client_close(self.client)
        frames = np.clip(self.audio[: self.frames] * 32767, -32768, 32767).astype(np.int16)
        with wave.open(str(out), "wb") as wav:
            wav.setnchannels(2)
            wav.setsampwidth(2)
            wav.setframerate(self.rate)
            wav.writeframes(frames.tobytes())
        Path(f"{out}.json").write_text(json.dumps({"rate": self.rate, "start_ns": start_ns,
                                                   "frames": self.frames}))


def main(argv: list[str] | None = None) -> None:
    """Capture until stdin closes (prints 'ready' once connected)."""
    parser = argparse.ArgumentParser(prog="jack_capture")
    parser.add_argument("name")
    parser.add_argument("sources", nargs="+")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--wait", type=float, default=30.0, help="for the source ports (s)")
    args = parser.parse_args(argv)
    capture = Capture(args.name)
    connected = threading.Event()

    def connect() -> None:
        capture.connect(args.sources, args.wait)
        connected.set()
        print("connected", flush=True)

    threading.Thread(target=connect, daemon=True).start()
    print("ready", flush=True)
    sys.stdin.read()
    capture.close(args.out)


if __name__ == "__main__":
    main()
