"""How often JACK's dummy server drops MIDI between two clients on this machine, without
real-time threads (`--no-realtime`) and with them (`-R`, as the tests run it). Each trial
sends Start, two seconds of MIDI clock with a note every sixth tick, and a Stop followed by
all-notes-off on ten channels (172 messages) to a monitor port, then counts what arrived.
Load the machine meanwhile to see the difference (three busy loops on two cores, say).
Run: .venv/bin/python scripts/jack_loss.py [trials per mode]"""

import sys
import tempfile
import time
from pathlib import Path

import rtmidi

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.jack_helpers import MidiMonitor, start_jackd, stop_jackd  # noqa: E402

TICK_S = 1 / 60


def _messages() -> list[list[int]]:
    """What one trial sends, in order."""
    out = [[0xFA]]
    for tick in range(120):
        if tick % 6 == 0:
            out.append([0x90 | tick % 3, 60 + tick % 12, 80])
        out.append([0xF8])
    out.append([0xFC])
    return out + [[0xB0 | channel, control, 0] for channel in range(10)
                  for control in (123, 120, 121)]


MESSAGES = _messages()


def one_trial() -> tuple[int, bool]:
    """(messages lost, whether the Stop arrived) for one monitor and one sender."""
    monitor = MidiMonitor()
    out = rtmidi.MidiOut(rtapi=rtmidi.API_UNIX_JACK, name="sender")
    out.open_port(next(i for i, p in enumerate(out.get_ports()) if "test-monitor" in p))
    time.sleep(0.3)
    for message in MESSAGES:
        out.send_message(message)
        if message == [0xF8]:
            time.sleep(TICK_S)
    time.sleep(0.3)
    out.close_port()
    out.delete()
    time.sleep(0.2)
    monitor.close()
    heard = [m for _, m in monitor.messages]
    return len(MESSAGES) - len(heard), [0xFC] in heard


def main() -> None:
    """Run the trials in both modes and print the losses."""
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    for realtime in (False, True):
        log = Path(tempfile.mkdtemp()) / "jackd.log"
        server = start_jackd(realtime=realtime, log=log)
        results = [one_trial() for _ in range(trials)]
        stop_jackd(server)
        lossy = [lost for lost, _ in results if lost]
        xruns = log.read_text(errors="replace").count("XRun")
        print(f"{'-R' if realtime else '--no-realtime'}: {len(lossy)} of {trials} trials lost "
              f"messages ({sum(lossy)} in all, at most {max(lossy, default=0)} in one); "
              f"Stop lost {sum(not stop for _, stop in results)} times; {xruns} xruns reported")


if __name__ == "__main__":
    main()
