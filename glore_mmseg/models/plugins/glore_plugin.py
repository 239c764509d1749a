"""GloRe unit registered in mmengine's root ``MODELS`` registry.

The root registry is the one every OpenMMLab scope falls back to, so
``plugins=[dict(cfg=dict(type='GloReUnit', ...), position='after_conv3')]``
in an mmseg ResNet (built through mmcv's ``build_plugin_layer``) finds it
whatever the default scope is.
"""
from typing import Optional

import torch.nn as nn
from mmcv.cnn import build_norm_layer
from mmengine.registry import MODELS

from ...ops import GloReUnit


@MODELS.register_module(name='GloReUnit')
class GloRePlugin(GloReUnit):
    """:class:`~glore_mmseg.ops.GloReUnit` with an OpenMMLab ``norm_cfg``.

    Registered as ``type='GloReUnit'``. Same parameters and state-dict keys
    as the plain unit; only the blocker norm is given as a config dict.

    Args:
        in_channels: Channels C of the input feature map.
        num_state: State channels S. Defaults to C // 2.
        num_node: Number of nodes N. Defaults to C // 4.
        dims: Spatial rank of the input (1, 2 or 3).
        normalize: Multiply the projection by 1/L.
        zero_init: Start as the identity (zero blocker weight).
        norm_cfg: mmcv norm config of the blocker, e.g.
            ``dict(type='SyncBN', eps=1e-4)``. ``None`` gives BatchNorm with
            ``eps=1e-4`` of rank ``dims``.
    """

    _abbr_ = 'glore'

    def __init__(self,
                 in_channels: int,
                 num_state: Optional[int] = None,
                 num_node: Optional[int] = None,
                 dims: int = 2,
                 normalize: bool = False,
                 zero_init: bool = True,
                 norm_cfg: Optional[dict] = None) -> None:

        def norm_layer(channels: int) -> nn.Module:
            return build_norm_layer(norm_cfg, channels)[1]

        super().__init__(
            in_channels,
            num_state=num_state,
            num_node=num_node,
            dims=dims,
            normalize=normalize,
            zero_init=zero_init,
            norm_layer=None if norm_cfg is None else norm_layer)
