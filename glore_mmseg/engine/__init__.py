"""Running mmengine's Runner safely: hooks, optimizer wrappers, the runner
built after the config checks (``runner``), resume, checkpoint fit,
training safeguards, CPU torchrun, test-time options and data-set scans."""
from .hooks import (AtomicCheckpointHook, ChannelsLastHook,
                    CheckFiniteLossHook, ProgressBarHook, RandomStateHook,
                    SegTestVisualizationHook)
from .optim_wrappers import BF16OptimWrapper

__all__ = [
    'AtomicCheckpointHook', 'BF16OptimWrapper', 'ChannelsLastHook',
    'CheckFiniteLossHook', 'ProgressBarHook', 'RandomStateHook',
    'SegTestVisualizationHook'
]
