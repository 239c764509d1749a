"""Runner hooks."""
from .hooks import (AtomicCheckpointHook, CheckFiniteLossHook,
                    ProgressBarHook, RandomStateHook,
                    SegTestVisualizationHook)

__all__ = [
    'AtomicCheckpointHook', 'CheckFiniteLossHook', 'ProgressBarHook',
    'RandomStateHook', 'SegTestVisualizationHook'
]
