"""The file adapter (mido): reading songs, the one SMF writer, takes as files."""
