from .atomic_checkpoint_hook import AtomicCheckpointHook
from .check_finite_loss_hook import CheckFiniteLossHook
from .progress_bar_hook import ProgressBarHook
from .random_state_hook import RandomStateHook
from .seg_test_visualization_hook import SegTestVisualizationHook

__all__ = [
    'AtomicCheckpointHook', 'CheckFiniteLossHook', 'ProgressBarHook',
    'RandomStateHook', 'SegTestVisualizationHook'
]
