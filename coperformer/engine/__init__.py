"""The live engine: clock, transport, bar buffer, live band, session (intents in, typed events
and snapshots out), worker, metronome, mixer and the take's journal. No Qt, rtmidi,
fluidsynth, mido or torch: numpy and the music core only."""
