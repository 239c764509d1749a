"""Precision helpers shared by the ops: float32 islands under autocast."""
import contextlib
from typing import ContextManager

import torch
from torch import Tensor


def autocast_disabled(device_type: str) -> ContextManager:
    """Leave autocast for the block.

    A no-op where autocast is off (or the device has none): a
    ``torch.autocast(enabled=False)`` region that changes nothing would
    still become a graph node under ``torch.export``, which cannot be saved
    when it takes a symbolic size (the 1/L of a dynamic-shape GloRe unit).
    """
    if (torch.amp.is_autocast_available(device_type)
            and torch.is_autocast_enabled(device_type)):
        return torch.autocast(device_type=device_type, enabled=False)
    return contextlib.nullcontext()


def full_precision(x: Tensor) -> Tensor:
    """``x`` in float32, or float64 if it already is (for gradcheck)."""
    return x if x.dtype == torch.float64 else x.float()
