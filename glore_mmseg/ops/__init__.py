"""Plain PyTorch modules with no OpenMMLab dependency."""
from .glore_unit import GloReUnit, GraphConvolution

__all__ = ['GloReUnit', 'GraphConvolution']
