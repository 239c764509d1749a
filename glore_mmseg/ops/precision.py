"""Precision helpers shared by the ops: float32 islands under autocast."""
import contextlib
from typing import ContextManager

import torch
from torch import Tensor


def autocast_disabled(device_type: str) -> ContextManager:
    """Leave autocast for the block (no-op where the device has none)."""
    if torch.amp.is_autocast_available(device_type):
        return torch.autocast(device_type=device_type, enabled=False)
    return contextlib.nullcontext()


def full_precision(x: Tensor) -> Tensor:
    """``x`` in float32, or float64 if it already is (for gradcheck)."""
    return x if x.dtype == torch.float64 else x.float()
