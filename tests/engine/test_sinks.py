"""The sinks' template (pure): one lock, one closed flag, every call a no-op once closed."""

import threading

from coperformer.engine.sinks import GuardedSink


class Counting(GuardedSink):
    """A sink that counts its device calls and checks it holds its lock in each."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0
        self.wrong = 0  # calls made without the lock, or into the freed device
        self.freed = False

    def play(self) -> bool:
        """One guarded device call (any thread)."""
        return self._guarded(self._play)

    def _play(self) -> None:
        self.wrong += not self._lock.locked() or self.freed
        self.calls += 1

    def close(self) -> None:
        """Free the device under the lock (the owner's thread)."""
        self._close_guard(lambda: setattr(self, "freed", True))


def test_a_closed_sink_calls_nothing_and_says_so():
    sink = Counting()
    assert sink.play() and sink.calls == 1
    sink.close()
    assert sink.freed and not sink.play() and sink.calls == 1 and sink.wrong == 0


def test_calls_from_many_threads_never_reach_a_freed_device():
    sink = Counting()
    threads = [threading.Thread(target=lambda: [sink.play() for _ in range(2000)])
               for _ in range(4)]
    for thread in threads:
        thread.start()
    sink.close()  # while they call: each call ran before the close, or not at all
    for thread in threads:
        thread.join()
    calls = sink.calls
    assert not sink.play() and sink.calls == calls and sink.wrong == 0
