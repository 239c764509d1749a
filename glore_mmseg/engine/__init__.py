"""Runner hooks."""
from .hooks import (AtomicCheckpointHook, CheckFiniteLossHook,
                    ProgressBarHook, RandomStateHook)

__all__ = [
    'AtomicCheckpointHook', 'CheckFiniteLossHook', 'ProgressBarHook',
    'RandomStateHook'
]
