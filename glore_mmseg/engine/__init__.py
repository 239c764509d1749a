"""Runner hooks and optimizer wrappers."""
from .hooks import (AtomicCheckpointHook, ChannelsLastHook,
                    CheckFiniteLossHook, ProgressBarHook, RandomStateHook,
                    SegTestVisualizationHook)
from .optim_wrappers import BF16OptimWrapper

__all__ = [
    'AtomicCheckpointHook', 'BF16OptimWrapper', 'ChannelsLastHook',
    'CheckFiniteLossHook', 'ProgressBarHook', 'RandomStateHook',
    'SegTestVisualizationHook'
]
