"""The live engine: clock, transport, bar buffer, session, scheduling and recording (pure)."""
