"""The pure music core (numpy only): meter, notes, the roll codec, the model's slot codec and
BarGenerator protocol, the accompaniment loop, harmony, metrics, rule baselines, MIDI numbers."""
