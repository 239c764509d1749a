"""Runner hooks and optimizer wrappers."""
from .hooks import ChannelsLastHook, ProgressBarHook
from .optim_wrappers import BF16OptimWrapper

__all__ = ['BF16OptimWrapper', 'ChannelsLastHook', 'ProgressBarHook']
