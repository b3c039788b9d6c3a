"""Input timestamps stay exact when the MIDI callback runs late (waiting for Python's lock)."""

from coperformer.engine.clock import VirtualClock
from coperformer.midi.ports import KeyboardInput

MS = 1_000_000


def test_a_late_callback_is_stamped_from_rtmidis_own_delta():
    keyboard = KeyboardInput("any", VirtualClock(), on_event=lambda event: None)
    assert keyboard._stamp(100 * MS, 0.0) == 100 * MS  # the first message: now
    assert keyboard._stamp(250 * MS, 0.125) == 225 * MS  # ran 25 ms late: the delta is exact
    assert keyboard._stamp(350 * MS, 0.125) == 350 * MS  # on time: now (never later than now)
    assert keyboard._stamp(351 * MS, 0.0) == 351 * MS  # a chord's notes, same cycle
