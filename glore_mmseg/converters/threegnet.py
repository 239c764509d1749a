"""Official 3G-Net weights -> ``ResNet`` + ``GeneralizedGaussianCovNeck``.

Only the parameter names are mapped (the official repository has no
licence; nothing of its code is used here).
"""
from typing import Dict, List, Tuple

from torch import Tensor

from .common import TORCHVISION_RESNET_RULES, rename
from .gsopnet import NECK_RULES, reorder_triangle_fc

# Official re-weighting module attribute -> PositionReweighting attribute.
_MODULE_NAMES = {
    'map1': 'left.0', 'bn1': 'left.1',
    'map2': 'right.0', 'bn2': 'right.1',
    'map21': 'input_branch.0', 'bn21': 'input_branch.1',
    'map3': 'gate_a.0', 'bn3': 'gate_a.1',
    'map4': 'gate_b.0', 'bn4': 'gate_b.1',
    'atmap1': 'score_hidden.0', 'bnat1': 'score_hidden.1',
    'atmap2': 'score', 'atmap3': 'score_scale',
}


def convert_3gnet(official: Dict[str, Tensor],
                  triangle_order: str = 'column'
                  ) -> Tuple[Dict[str, Tensor], List[str]]:
    """Rename an official 3G-Net state dict (``AtMp1..3``, ``layer_reduce``,
    ``fc``, torchvision ResNet names).

    Args:
        official: The official tensors.
        triangle_order: The neck's order (``'row'`` permutes FC inputs).

    Returns:
        The converted state dict and the official keys left unconverted.
    """
    rules = []
    for index in (1, 2, 3):
        for name, ours in _MODULE_NAMES.items():
            rules.append((rf'^AtMp{index}\.{name}\.',
                          f'neck.pooling.reweighting.{index - 1}.{ours}.'))
    rules += NECK_RULES + TORCHVISION_RESNET_RULES
    converted, unmatched = rename(official, rules)
    reorder_triangle_fc(converted, triangle_order)
    return converted, unmatched
