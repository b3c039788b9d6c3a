"""The model layer's error, importable without torch (the window lists models before torch
is loaded)."""

from __future__ import annotations

from coperformer.common.errors import CoperformerError


class ModelError(CoperformerError, ValueError):
    """A model file that is missing or not a coperformer model."""
