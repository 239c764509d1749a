from .atomic_checkpoint_hook import AtomicCheckpointHook
from .channels_last_hook import ChannelsLastHook
from .check_finite_loss_hook import CheckFiniteLossHook
from .progress_bar_hook import ProgressBarHook
from .random_state_hook import RandomStateHook
from .seg_test_visualization_hook import SegTestVisualizationHook

__all__ = [
    'AtomicCheckpointHook', 'ChannelsLastHook', 'CheckFiniteLossHook',
    'ProgressBarHook', 'RandomStateHook', 'SegTestVisualizationHook'
]
