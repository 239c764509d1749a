from .progress_bar_hook import ProgressBarHook
from .seg_test_visualization_hook import SegTestVisualizationHook

__all__ = ['ProgressBarHook', 'SegTestVisualizationHook']
