"""Official GSoP-Net weights -> ``GSoPResNet`` (+ ``ISQRTCovNeck``)."""
from typing import Dict, List, Tuple

from torch import Tensor

from ..ops.triangle import triangle_permutation
from .common import TORCHVISION_RESNET_RULES, rename

# Official GSoP block attribute -> this package's GSoPBlock attribute.
_BLOCK_NAMES = {
    'conv_for_DR': 'channel_reduce.1',
    'bn_for_DR': 'channel_reduce.2',
    'row_bn': 'channel_head.row_norm',
    'row_conv_group': 'channel_head.row_conv',
    'fc_adapt_channels': 'channel_head.fc',
    'conv_for_DR_spatial': 'position_reduce.1',
    'bn_for_DR_spatial': 'position_reduce.2',
    'row_bn_for_spatial': 'position_head.row_norm',
    'row_conv_group_for_spatial': 'position_head.row_conv',
    'fc_adapt_channels_for_spatial': 'position_head.fc',
    'dilate_conv_for_concat1': 'concat_channel',
    'dilate_conv_for_concat2': 'concat_position',
    'bn_for_concat': 'concat_norm',
}

NECK_REDUCE_KEY = 'neck.pooling.reduce.0.weight'
NECK_RULES = [
    (r'^layer_reduce\.', 'neck.pooling.reduce.0.'),
    (r'^layer_reduce_bn\.', 'neck.pooling.reduce.1.'),
]


def reorder_triangle_fc(state_dict: Dict[str, Tensor], target: str,
                        source: str = 'column') -> None:
    """Permute ``head.fc.weight``'s input columns from the ``source``
    triangle order to ``target``, in place (same logits for the same
    matrix). The triangle size comes from the converted neck's reduction
    conv; a state dict without that neck is left as it is.
    """
    if source == target or NECK_REDUCE_KEY not in state_dict:
        return
    dim = state_dict[NECK_REDUCE_KEY].shape[0]
    weight = state_dict['head.fc.weight']
    if weight.shape[1] != dim * (dim + 1) // 2:
        raise ValueError(f'head.fc.weight has {weight.shape[1]} inputs, not '
                         f'the {dim * (dim + 1) // 2} of a {dim}-d triangle')
    state_dict['head.fc.weight'] = weight[:, triangle_permutation(
        dim, source, target)]


def convert_gsopnet(official: Dict[str, Tensor],
                    triangle_order: str = 'column'
                    ) -> Tuple[Dict[str, Tensor], List[str]]:
    """Rename an official GSoP-Net1/2 ResNet state dict.

    ResNet keys keep their names under ``backbone.``; each stage's GSoP
    block (``layerX.Y.<official name>``, Y the stage's last block) becomes
    ``backbone.gsop_blocks.layerX.<name>``; GSoP-Net2's ``layer_reduce`` /
    ``layer_reduce_bn`` go to ``neck.pooling.reduce``; ``fc`` to
    ``head.fc``.

    Args:
        official: The official tensors (see ``load_official_state_dict``).
        triangle_order: The neck's order; ``'row'`` permutes GSoP-Net2's FC
            inputs from the official ``triu().t()`` order.

    Returns:
        The converted state dict and the official keys left unconverted.
    """
    block_rules = [(rf'^(layer\d+)\.\d+\.{name}\.',
                    rf'backbone.gsop_blocks.\1.{ours}.')
                   for name, ours in sorted(_BLOCK_NAMES.items(),
                                            key=lambda kv: -len(kv[0]))]
    converted, unmatched = rename(
        official, block_rules + NECK_RULES + TORCHVISION_RESNET_RULES)
    reorder_triangle_fc(converted, triangle_order)
    return converted, unmatched
