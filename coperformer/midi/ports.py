"""python-rtmidi ports: list them, open by name or unique substring, follow unplug/replug.

The listing functions may be called from any thread (each opens its own client).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from coperformer.common.errors import CoperformerError
from coperformer.common.quiet import native_stderr_silenced, no_jack_autostart
from coperformer.common.threads import JOIN_LIMIT_S, ended
from coperformer.engine.clock import Clock
from coperformer.engine.events import (
    PASSTHROUGH_KINDS,
    PORT_BACK,
    PORT_LOST,
    InputEvent,
    parse_midi,
)

CLIENT_NAME = "coperformer"
WATCH_SECONDS = 0.25
# A watcher held up longer than this (a loaded machine, a MIDI system slow to answer) cannot
# know that the port it sees is the one it connected to: unplugged and plugged back meanwhile,
# the port has the same name but nothing connected to it. It connects again. Under the time
# a keyboard takes to be unplugged and enumerated again (over a second for USB).
BLIND_SECONDS = 1.0


class MidiError(CoperformerError, RuntimeError):
    """No MIDI system, or a port that cannot be found or opened."""


def _rtmidi():
    try:
        import rtmidi
    except ImportError as exc:  # pragma: no cover - a broken install
        raise MidiError(f"python-rtmidi is not installed: {exc}") from exc
    return rtmidi


def api_names() -> dict[int, str]:
    """The MIDI APIs rtmidi was compiled with, by id."""
    rtmidi = _rtmidi()
    return {api: rtmidi.get_api_display_name(api) for api in rtmidi.get_compiled_api()
            if api != rtmidi.API_RTMIDI_DUMMY}


def api_by_name(name: str | None) -> int | None:
    """An API id from a name such as 'jack' or 'alsa' (None: rtmidi's default)."""
    if not name:
        return None
    rtmidi = _rtmidi()
    for api in rtmidi.get_compiled_api():
        names = (rtmidi.get_api_name(api).lower(), rtmidi.get_api_display_name(api).lower())
        if name.lower() in names:
            return api
    raise MidiError(f"MIDI API {name!r} is not available (have: {', '.join(api_names().values())})")


def open_client(kind: str, api: int | None):
    """A new rtmidi input ('in') or output ('out') client; MidiError without a MIDI system."""
    rtmidi = _rtmidi()
    cls = rtmidi.MidiIn if kind == "in" else rtmidi.MidiOut
    no_jack_autostart()
    try:
        with native_stderr_silenced():  # libjack/ALSA would print their own noise
            return cls(rtapi=api if api is not None else rtmidi.API_UNSPECIFIED,
                       name=CLIENT_NAME)
    except rtmidi.RtMidiError as exc:
        raise MidiError(f"no MIDI system available ({exc}); use a file input (--input FILE.mid)"
                        " or the QWERTY keyboard") from exc


def list_ports(api: int | None = None) -> dict[str, list[str]]:
    """Input and output port names of one API; raises MidiError when it is unavailable."""
    ports = {}
    for kind in ("in", "out"):
        client = open_client(kind, api)
        ports["inputs" if kind == "in" else "outputs"] = list(client.get_ports())
        client.delete()
    return ports


def all_ports() -> dict[str, dict]:
    """Ports per API; an API that fails says why instead."""
    out: dict[str, dict] = {}
    for api, name in api_names().items():
        try:
            out[name] = list_ports(api)
        except MidiError as exc:
            out[name] = {"error": str(exc)}
    return out


def find_port(names: list[str], wanted: str) -> int:
    """Index of the port named exactly ``wanted``, or of the only one containing it."""
    if wanted in names:
        return names.index(wanted)
    matches = [i for i, n in enumerate(names) if wanted.lower() in n.lower()]
    if len(matches) == 1:
        return matches[0]
    listing = ", ".join(repr(n) for n in names) or "none"
    if not matches:
        raise MidiError(f"no MIDI port matches {wanted!r} (ports: {listing})")
    raise MidiError(f"{wanted!r} matches several MIDI ports: "
                    + ", ".join(repr(names[i]) for i in matches))


API_SEPARATOR = " — "  # between a port's name and its API in a label: "Keystation — JACK"


def port_label(name: str, api_name: str) -> str:
    """How the window lists a port: its name and its MIDI API."""
    return f"{name}{API_SEPARATOR}{api_name}"


def split_label(label: str) -> tuple[str, str | None]:
    """(port name, API name or None) from a label made by ``port_label`` or a plain name."""
    name, separator, api_name = label.rpartition(API_SEPARATOR)
    return (name, api_name) if separator else (label, None)


def find_api(wanted: str, kind: str = "in") -> int:
    """The MIDI API that has an input ('in') or output ('out') port matching ``wanted``, in
    rtmidi's order of preference; MidiError listing every API's ports when none has one."""
    seen, errors = [], []
    for api, api_name in api_names().items():
        try:
            names = list_ports(api)["inputs" if kind == "in" else "outputs"]
        except MidiError:
            errors.append(f"{api_name}: unavailable")
            continue
        try:
            find_port(names, wanted)
            return api
        except MidiError:
            seen += [port_label(n, api_name) for n in names]
    listing = ", ".join(repr(n) for n in seen) or "none"
    raise MidiError(f"no MIDI port matches {wanted!r} in any MIDI system (ports: {listing}"
                    + (f"; {', '.join(errors)}" if errors else "") + ")")


def locate_port(label: str, api_name: str | None, kind: str = "in") -> tuple[str, int]:
    """(port name, API) for a port the user named: a label from the window, or a plain name
    in ``api_name``'s MIDI system, or searched for in every system."""
    name, labelled = split_label(label)
    chosen = api_name or labelled
    return name, api_by_name(chosen) if chosen else find_api(name, kind)


class InputPortLister:
    """Lists the MIDI input ports (or, with kind 'out', the output ports) of every available
    API, labelled with their API, with one long-lived client per API (cheap to poll every
    second).

    One thread polls it (the window's).
    """

    def __init__(self, kind: str = "in"):
        self.kind = kind
        self._clients: dict[int, object] = {}

    def __call__(self) -> list[str]:
        """Port labels, [] without a MIDI system (the polling thread)."""
        labels = []
        for api, name in api_names().items():
            if api not in self._clients:
                try:
                    self._clients[api] = open_client(self.kind, api)
                except MidiError:
                    continue
            labels += [port_label(port, name) for port in self._clients[api].get_ports()]
        return labels

    def close(self) -> None:
        """Free the clients (a later call opens new ones); the polling thread. Not left to
        the interpreter's exit, when their MIDI server may be gone."""
        clients, self._clients = self._clients, {}
        for client in clients.values():
            client.delete()


class KeyboardInput:
    """An input port opened by name: the callback timestamps, plays the note through, enqueues.

    A watcher notices when the port vanishes, reports it, and reopens it by name when it
    returns. rtmidi's callback thread calls on_event and passthrough, the watcher thread
    reports port events; open() and close() belong to the owner's thread.
    """

    def __init__(self, wanted: str, clock: Clock, on_event: Callable[[InputEvent], None],
                 passthrough: Callable[[InputEvent], None] | None = None, api: int | None = None,
                 may_block: Callable[[], bool] | None = None):
        self.wanted, self.clock, self.api = wanted, clock, api
        self.may_block = may_block or (lambda: True)
        self.on_event, self.passthrough = on_event, passthrough
        self.port_name: str | None = None
        self._client = None
        self._last_ns: int | None = None
        self._probe = None
        self.rejoins = 0  # connections made again after the watcher was held up (BLIND_SECONDS)
        self._connected = False  # at open(); the watcher follows it from there
        self._stop = threading.Event()
        # held by the watcher while it opens, probes or frees a client, and by close(): a
        # client is never freed while the other thread still uses it (a crash, not an error)
        self._clients_lock = threading.Lock()
        self._watcher = threading.Thread(target=self._watch, name="midi-watch", daemon=True)

    def open(self, wait: bool = False) -> str:
        """Open the port and start watching it (owner). A port that is not there: MidiError,
        or with ``wait`` it is connected when it comes (a PORT_BACK event then)."""
        self._connected = self._connect(raise_errors=not wait)
        try:  # the probe now, not at the first look: opening a client can take long under load
            self._probe = open_client("in", self.api)
        except MidiError:
            pass  # the watcher tries again
        self._watcher.start()
        return self.port_name or self.wanted

    def _connect(self, raise_errors: bool) -> bool:
        try:
            client = open_client("in", self.api)
        except MidiError:
            if raise_errors:
                raise
            return False  # the MIDI system refused a client now: the watcher tries again
        try:
            index = find_port(list(client.get_ports()), self.wanted)
            self.port_name = client.get_ports()[index]
            client.ignore_types(sysex=True, timing=True, active_sense=True)
            client.set_callback(self._callback)
            client.open_port(index, "in")
        except Exception:
            client.delete()
            if raise_errors:
                raise
            return False
        self._client = client
        self._last_ns = None  # a new client: its first message has no delta
        return True

    def _callback(self, message_delta, _data=None) -> None:
        """rtmidi's thread: timestamp, pass the note through, enqueue. Nothing else."""
        now = self._stamp(self.clock.now_ns(), message_delta[1])
        event = parse_midi(message_delta[0], now)
        if event is None:
            return
        if self.passthrough and event.kind in PASSTHROUGH_KINDS:
            self.passthrough(event)
        self.on_event(event)

    def _stamp(self, now_ns: int, delta_s: float) -> int:
        """When the message arrived: rtmidi measures the time since the previous message in
        its own thread, before this callback waits for Python's lock, so the previous stamp
        plus that delta is exact when the callback runs late; never later than now."""
        stamp = now_ns
        if self._last_ns is not None and delta_s > 0:
            stamp = min(now_ns, self._last_ns + round(delta_s * 1e9))
        self._last_ns = stamp
        return stamp

    def _present(self) -> bool:
        if self._probe is None:  # one long-lived client: creating clients stalls JACK
            self._probe = open_client("in", self.api)
        ports = list(self._probe.get_ports())
        if self.port_name is not None:
            return self.port_name in ports
        try:  # never connected yet: the name asked for
            find_port(ports, self.wanted)
        except MidiError:
            return False
        return True

    def _watch(self) -> None:
        connected = self._connected
        looked = time.monotonic()
        while not self._stop.wait(WATCH_SECONDS):
            present = self._probed()
            if connected and present and time.monotonic() - looked > BLIND_SECONDS:
                connected = self._rejoin()
            if connected and not present:
                self._wait_until_quiet()
                with self._clients_lock:
                    self._drop()
                connected = False
                self.on_event(InputEvent(self.clock.now_ns(), PORT_LOST))
            elif not connected and present and self._wait_until_quiet() and self._reconnect():
                connected = True
                self.on_event(InputEvent(self.clock.now_ns(), PORT_BACK))
            looked = time.monotonic()  # what happened from here to the next look went unseen

    def _probed(self) -> bool:
        """Whether the port is there (False once closing); the watcher's thread."""
        with self._clients_lock:
            if self._stop.is_set():
                return False
            try:
                return self._present()
            except Exception:  # noqa: BLE001 - whatever the MIDI system says, the watcher lives on
                self._probe = None  # a new probe next time
                return False

    def _rejoin(self) -> bool:
        """Connect again to a port that may have come back unseen; whether connected (else
        it is reported lost, and comes back at a later look). The watcher's thread."""
        self._wait_until_quiet()
        with self._clients_lock:
            self._drop()
            self.rejoins += 1
        if self._reconnect():
            return True
        self.on_event(InputEvent(self.clock.now_ns(), PORT_LOST))
        return False

    def _reconnect(self) -> bool:
        """Open the port again, unless closing; the watcher's thread."""
        with self._clients_lock:
            return not self._stop.is_set() and self._connect(raise_errors=False)

    def _wait_until_quiet(self, limit_s: float = 2.0) -> bool:
        """Opening or closing a client holds the GIL for ~15 ms: do it between decisions."""
        deadline = time.monotonic() + limit_s
        while not self.may_block() and time.monotonic() < deadline:
            if self._stop.wait(0.005):
                return False
        return True

    def _drop(self) -> None:
        if self._client is not None:
            self._client.cancel_callback()
            self._client.close_port()
            self._client.delete()
            self._client = None

    def close(self) -> None:
        """Stop watching and close the port (the owner's thread). A watcher stuck in the MIDI
        system past the join limit keeps its clients: freed under it, they would crash."""
        self._stop.set()
        if not ended(self._watcher) or not self._clients_lock.acquire(timeout=JOIN_LIMIT_S):
            return
        try:
            self._drop()
            if self._probe is not None:
                self._probe.delete()
                self._probe = None
        finally:
            self._clients_lock.release()
