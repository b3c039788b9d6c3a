"""MIDI 1.0 and General MIDI numbers that several layers share (each defined once, here)."""

from __future__ import annotations

DRUM_CHANNEL = 9  # GM percussion (channel 10 counted from 1)
DRUM_BANK = 128  # the soundfont bank of drum kits

NOTE_OFF, NOTE_ON, CONTROL_CHANGE, PROGRAM_CHANGE = 0x80, 0x90, 0xB0, 0xC0
CLOCK_TICK, CLOCK_START, CLOCK_STOP = 0xF8, 0xFA, 0xFC
CLOCKS_PER_QUARTER = 24  # MIDI clock resolution

VOLUME_CC = 7
SUSTAIN_CC = 64
PEDAL_DOWN = 64  # a sustain value from here up holds the notes
ALL_SOUND_OFF_CC = 120
RESET_CONTROLLERS_CC = 121
ALL_NOTES_OFF_CC = 123
