"""Plain PyTorch modules with no OpenMMLab dependency."""
from .cov_pooling import CovPooling
from .covariance import covariance, position_gram
from .glore_unit import GloReUnit, GraphConvolution
from .gsop_block import GSoPBlock
from .matrix_sqrt import newton_schulz_sqrt
from .reweighting import PositionReweighting
from .triangle import triangle_permutation, triangle_vector

__all__ = [
    'CovPooling', 'GSoPBlock', 'GloReUnit', 'GraphConvolution',
    'PositionReweighting', 'covariance', 'newton_schulz_sqrt',
    'position_gram', 'triangle_permutation', 'triangle_vector'
]
