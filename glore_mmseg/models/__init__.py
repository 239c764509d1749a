"""OpenMMLab adapters: registry entries built on :mod:`glore_mmseg.ops`."""
from .decode_heads import GloReHead
from .plugins import GloRePlugin

__all__ = ['GloReHead', 'GloRePlugin']
