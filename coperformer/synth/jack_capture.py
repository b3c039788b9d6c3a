"""A JACK capture client: records what other clients play, with the time of every frame.

Run as its own process (``python -m coperformer.synth.jack_capture NAME SOURCE... --out F``):
a JACK client inside a process that also holds rtmidi or FluidSynth clients crashed it in CI.
It connects its two inputs to the source ports (waiting for them to appear), records until
its stdin closes, then writes a stereo 16-bit WAV and, beside it, ``F.json``: the sample rate
and for each cycle (frame index, when the server woke for it, on ``time.perf_counter_ns``'s
clock, the app's; a frame is the server's count, so a cycle the capture missed stays silent),
and the times of the xruns the server reported: a loaded dummy server falls behind the wall
clock, so frames are not times by the nominal rate alone. Used by the
tests and ``coperformer bench`` to hear the live audio path as a listener would.
"""

from __future__ import annotations

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
PORT_IS_OUTPUT = 0x2
AUDIO_TYPE = b"32 bit float mono audio"
PROCESS = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_uint32, ctypes.c_void_p)
XRUN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)
MAX_SECONDS = 240  # the longest capture (its memory is mapped at the start)
WAIT_FOR_SOURCES_S = 30.0
STOP_SETTLE_S = 0.05  # after recording stops, a cycle being copied is done within this
FLOAT_BYTES = 4


def _libjack() -> ctypes.CDLL:
    """libjack with the signatures this client uses."""
    lib = ctypes.CDLL("libjack.so.0")
    p, u32, u64 = ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint64
    signatures = {
        "jack_client_open": ([ctypes.c_char_p, ctypes.c_int, p], p),
        "jack_port_register": ([p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong,
                                ctypes.c_ulong], p),
        "jack_set_process_callback": ([p, PROCESS, p], ctypes.c_int),
        "jack_set_xrun_callback": ([p, XRUN, p], ctypes.c_int),
        "jack_activate": ([p], ctypes.c_int),
        "jack_deactivate": ([p], ctypes.c_int),
        "jack_client_close": ([p], ctypes.c_int),
        "jack_get_cycle_times": ([p, ctypes.POINTER(u32), ctypes.POINTER(u64),
                                  ctypes.POINTER(u64), ctypes.POINTER(ctypes.c_float)],
                                 ctypes.c_int),
        "jack_get_time": ([], u64),
        "jack_port_get_buffer": ([p, u32], p),
        "jack_get_sample_rate": ([p], u32),
        "jack_connect": ([p, ctypes.c_char_p, ctypes.c_char_p], ctypes.c_int),
        "jack_port_name": ([p], ctypes.c_char_p),
        "jack_port_by_name": ([p, ctypes.c_char_p], p),
        "jack_port_connected_to": ([p, ctypes.c_char_p], ctypes.c_int),
        "jack_get_ports": ([p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong],
                           ctypes.POINTER(ctypes.c_char_p)),
        "jack_free": ([p], None),
    }
    for name, (args, result) in signatures.items():
        function = getattr(lib, name)
        function.argtypes, function.restype = args, result
    return lib


class Capture:
    """Two JACK input ports recording into memory from JACK's process thread; the other
    methods belong to the capture's main thread (``follow`` to a helper thread of its)."""

    def __init__(self, name: str, max_seconds: float = MAX_SECONDS):
        self.lib = _libjack()
        self.client = self.lib.jack_client_open(name.encode(), NO_START_SERVER, None)
        if not self.client:
            raise RuntimeError("no JACK server to capture from")
        self.rate = self.lib.jack_get_sample_rate(self.client)
        self.ports = [self.lib.jack_port_register(self.client, side.encode(), AUDIO_TYPE,
                                                  PORT_IS_INPUT, 0) for side in ("in_l", "in_r")]
        self.audio = np.zeros((2, int(max_seconds * self.rate)), np.float32)  # by channel
        self._addresses = [self.audio[column].ctypes.data for column in (0, 1)]
        self.frames = 0
        self.cycles = np.zeros((int(max_seconds * self.rate) // 16 + 1, 2), np.int64)
        self.cycle_count = 0
        for memory in (self.audio, self.cycles):  # its pages mapped now: a page fault in the
            memory.fill(1)                        # process callback made the cycle late
            memory.fill(0)
        self.first_frame: int | None = None  # the server's frame count at the first cycle
        self._frame, self._began = ctypes.c_uint32(), ctypes.c_uint64()
        self._next, self._period = ctypes.c_uint64(), ctypes.c_float()
        self.xruns: list[int] = []  # when the server reported one (a client or itself late)
        self.recording = True  # the process callback copies frames while set
        self._callback = PROCESS(self._process)  # kept alive as long as the client
        self._on_xrun = XRUN(self._xrun)
        self.lib.jack_set_process_callback(self.client, self._callback, None)
        self.lib.jack_set_xrun_callback(self.client, self._on_xrun, None)
        self.lib.jack_activate(self.client)

    def _process(self, nframes: int, _arg) -> int:
        """JACK's process thread: copy this cycle's frames, stamped with when it ran."""
        # when the server woke for this cycle (its driver's own wakeup, not the DLL's estimate
        # jack_frames_to_time gives, which wandered +-15 ms from when a dummy server's cycles
        # really ran, nor when this client ran, a few tenths of a ms later), on JACK's clock
        self.lib.jack_get_cycle_times(self.client, ctypes.byref(self._frame),
                                      ctypes.byref(self._began), ctypes.byref(self._next),
                                      ctypes.byref(self._period))
        woke, server_frame = self._began.value, self._frame.value
        if not self.recording:
            return 0
        if self.first_frame is None:
            self.first_frame = server_frame
        # a cycle this client missed (late on a loaded machine) stays silent in the recording
        # rather than shortening it: the frames keep the server's count
        self.frames = max(self.frames, min((server_frame - self.first_frame) % 2**32,
                                           self.audio.shape[1]))
        if self.cycle_count < len(self.cycles):
            self.cycles[self.cycle_count] = (self.frames, woke)
            self.cycle_count += 1
        end = min(self.frames + nframes, self.audio.shape[1])
        size = (end - self.frames) * FLOAT_BYTES
        for column, port in enumerate(self.ports):  # a plain copy: the cycle waits for us
            ctypes.memmove(self._addresses[column] + self.frames * FLOAT_BYTES,
                           self.lib.jack_port_get_buffer(port, nframes), size)
        self.frames = end
        return 0

    def _xrun(self, _arg) -> int:
        """JACK's notification thread: the server ran late (an xrun); note when."""
        self.xruns.append(time.perf_counter_ns())
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

    def follow(self, client_prefix: str, stop: threading.Event) -> None:
        """Until ``stop``: connect every audio output of the clients whose name starts with
        ``client_prefix`` (a ``-left``/``_l`` one to the left input, the rest to the right),
        as they come and go (a window opens and closes its synth). Each poll asks JACK what is
        connected: a client that closes and a new one under the same name between two polls
        (this thread starved on a loaded host) is connected all the same."""
        while not stop.wait(0.02):
            self.connect_clients(client_prefix)

    def connect_clients(self, client_prefix: str) -> int:
        """Connect each audio output of the clients named ``client_prefix``... that is not
        connected to its input yet; how many were connected now."""
        connected = 0
        for name in self._output_ports(f"^{client_prefix}[^:]*:".encode()):
            own = self.ports[0 if name.endswith((b"left", b"_l", b"l_00")) else 1]
            if not self.lib.jack_port_connected_to(own, name):
                connected += self.lib.jack_connect(self.client, name,
                                                   self.lib.jack_port_name(own)) == 0
        return connected

    def _output_ports(self, pattern: bytes) -> list[bytes]:
        """The names of the audio output ports whose full name matches ``pattern``."""
        found = self.lib.jack_get_ports(self.client, pattern, AUDIO_TYPE, PORT_IS_OUTPUT)
        if not found:
            return []
        names, index = [], 0
        while found[index]:
            names.append(found[index])
            index += 1
        self.lib.jack_free(ctypes.cast(found, ctypes.c_void_p))
        return names

    def close(self, out: Path) -> None:
        """Stop recording; write the WAV and its JSON, then leave the server (a server running
        late can keep a client's close waiting for long: the files are written first)."""
        self.recording = False
        time.sleep(STOP_SETTLE_S)  # a cycle being copied ends
        self._write(out)
        self.lib.jack_deactivate(self.client)
        self.lib.jack_client_close(self.client)

    def _write(self, out: Path) -> None:
        """The WAV and, beside it, its JSON."""
        frames = np.clip(self.audio[:, : self.frames].T * 32767, -32768, 32767).astype(np.int16)
        with wave.open(str(out), "wb") as wav:
            wav.setnchannels(2)
            wav.setsampwidth(2)
            wav.setframerate(self.rate)
            wav.writeframes(frames.tobytes())
        offset_us = time.perf_counter_ns() / 1000 - self.lib.jack_get_time()  # both monotonic
        cycles = [(frame, round((began + offset_us) * 1000))
                  for frame, began in self.cycles[: self.cycle_count].tolist()]
        Path(f"{out}.json").write_text(json.dumps({"rate": self.rate, "frames": self.frames,
                                                   "cycles": cycles, "xruns": self.xruns}))


def main(argv: list[str] | None = None) -> None:
    """``NAME SOURCE... --out FILE [--follow]``: capture until stdin closes (prints 'ready',
    then 'connected' once the sources are, or 'failed: why')."""
    words = list(sys.argv[1:] if argv is None else argv)
    follow = "--follow" in words
    words = [w for w in words if w != "--follow"]
    at = words.index("--out")
    out = Path(words[at + 1])
    name, *sources = words[:at] + words[at + 2:]
    capture = Capture(name)
    stop = threading.Event()

    def connect() -> None:
        try:
            capture.connect(sources, WAIT_FOR_SOURCES_S)
        except RuntimeError as exc:
            print(f"failed: {exc}", flush=True)
            return
        print("connected", flush=True)

    print("ready", flush=True)  # before the connecting thread can print its line
    if follow:
        threading.Thread(target=capture.follow, args=(sources[0], stop), daemon=True).start()
        print("connected", flush=True)
    else:
        threading.Thread(target=connect, daemon=True).start()
    sys.stdin.read()
    stop.set()
    capture.close(out)


if __name__ == "__main__":
    main()
