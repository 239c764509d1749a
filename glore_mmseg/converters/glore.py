"""Official GloRe PyTorch weights (facebookresearch/GloRe) -> this package.

The official unit (``GloRe_Unit``) uses the same parameter names as
:class:`~glore_mmseg.ops.GloReUnit`; its 3D variant stores 1x1x1 kernels.
The official networks name their extra units ``conv<s>.B<ii>_extra``
(stage ``conv<s>`` = ``layer<s-1>``, after block ``ii``, 1-based); they map
to ``backbone.glore_units.layer<s-1>_<ii-1>`` of ``GloReResNet``. The
official residual blocks are pre-activation 3D blocks that no OpenMMLab
ResNet has: they are reported as unconverted.
"""
import re
from collections import OrderedDict
from typing import Dict, List, Tuple

from torch import Tensor

_UNIT_KEY = re.compile(r'^conv(\d)\.B(\d+)_extra\.(.+)$')


def squeeze_kernel(tensor: Tensor, dims: int = 2) -> Tensor:
    """A 1x1(x1) conv kernel with ``dims`` trailing spatial dims."""
    if tensor.dim() > 2 + dims and all(s == 1 for s in tensor.shape[2:]):
        return tensor.reshape(*tensor.shape[:2], *([1] * dims))
    return tensor


def convert_glore_unit(official: Dict[str, Tensor],
                       dims: int = 2) -> Dict[str, Tensor]:
    """An official ``GloRe_Unit`` state dict for a ``GloReUnit(dims=...)``."""
    return OrderedDict((key, squeeze_kernel(value, dims))
                       for key, value in official.items())


def convert_glore_network(official: Dict[str, Tensor],
                          prefix: str = 'backbone.'
                          ) -> Tuple[Dict[str, Tensor], List[str]]:
    """The GloRe units of an official GloRe network, renamed.

    Returns:
        ``{prefix}glore_units.layer<s-1>_<i-1>.<key>`` tensors (2D kernels)
        and the official keys left unconverted (the residual network).
    """
    converted, unmatched = OrderedDict(), []
    for key, value in official.items():
        match = _UNIT_KEY.match(key)
        if match is None:
            unmatched.append(key)
            continue
        stage, block, rest = match.groups()
        name = f'{prefix}glore_units.layer{int(stage) - 1}_{int(block) - 1}'
        converted[f'{name}.{rest}'] = squeeze_kernel(value)
    return converted, unmatched
