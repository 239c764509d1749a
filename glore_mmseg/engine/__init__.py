"""Runner hooks."""
from .hooks import ProgressBarHook, SegTestVisualizationHook

__all__ = ['ProgressBarHook', 'SegTestVisualizationHook']
