"""FluidSynth adapters: soundfont lookup, offline rendering, live synth and sequencer."""
