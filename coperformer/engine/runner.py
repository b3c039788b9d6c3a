"""The worker thread that drives a session from absolute deadlines."""

from __future__ import annotations

import logging
import threading

from coperformer.engine.clock import VirtualClock
from coperformer.engine.intents import Stop
from coperformer.engine.session import Session

log = logging.getLogger(__name__)

# the transport starts this far ahead of Play, so the count-in's first click reaches the synth
# before its time (started at "now", it was already late when the worker came to it: dropped)
START_LEAD_NS = 50_000_000


def run_virtual(session: Session, clock: VirtualClock, end_ns: int) -> None:
    """Drive ``session`` in virtual time up to ``end_ns``: each deadline polled as the worker
    would on the real clock (the caller's thread: accompany, evaluate, bench, tests)."""
    while clock.now_ns() < end_ns and not session.finished:
        session.poll(clock.now_ns())
        clock.wait_until(min(session.next_deadline(), end_ns))
    session.poll(clock.now_ns())


class SessionRunner:
    """Runs ``session.poll`` at every deadline on one thread until stopped or finished.

    start() and stop() belong to the thread that owns the session (the window's, or the
    command line's); the worker only runs the session.
    """

    def __init__(self, session: Session):
        self.session = session
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="coperformer-worker", daemon=True)

    def start(self) -> int | None:
        """Start the transport, then the worker; returns when bar 0 begins (None: sync start).
        The owner's thread."""
        bar0_ns = self.session.start(START_LEAD_NS)
        self._thread.start()
        return bar0_ns

    def _run(self) -> None:
        session, clock = self.session, self.session.clock
        try:
            while not session.finished:
                session.poll(clock.now_ns())
                clock.wait_until(session.next_deadline())
        except BaseException as exc:  # noqa: BLE001 - reported to the listener, never swallowed
            self.error = exc
            log.exception("the session's worker failed")
            session.fail(exc)
        finally:
            session.stop()

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the worker to stop (a Stop intent), wait for it; everything falls silent.
        The owner's thread."""
        if self._thread.is_alive():
            self.session.request(Stop())
            self._thread.join(timeout)
        elif not self.session.finished:
            self.session.stop()

    @property
    def running(self) -> bool:
        """True while the worker runs (any thread)."""
        return self._thread.is_alive()
