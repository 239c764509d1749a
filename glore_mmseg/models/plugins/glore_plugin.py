"""GloRe unit registered in mmengine's root ``MODELS`` registry.

The registered name is ``'GloReUnit'`` (the name users know from the paper
and the official code), but the class it builds is :class:`GloRePlugin`,
the OpenMMLab adapter defined here; the plain PyTorch class of the same
name is :class:`glore_mmseg.ops.GloReUnit`.

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
    """:class:`~glore_mmseg.ops.GloReUnit` as an OpenMMLab plugin.

    Registered as ``type='GloReUnit'`` (this class, not the plain
    :class:`~glore_mmseg.ops.GloReUnit`, is what configs build). Same
    parameters and state-dict keys as the plain unit; the blocker norm is
    given as a config dict, and ``normalize`` defaults to ``True``: the
    plugin goes into mmseg backbones, which train on crops and test on
    whole images, so node features must not scale with the input size.
    Pass ``normalize=False`` for the official (ImageNet) unit's behaviour.

    Args:
        in_channels: Channels C of the input feature map.
        norm_cfg: mmcv norm config of the blocker, e.g.
            ``dict(type='SyncBN', eps=1e-4)``. ``None`` gives BatchNorm with
            ``eps=1e-4`` of rank ``dims``.
        normalize: Multiply the projection by 1/L (L positions). ``True``
            here; the plain unit's default is ``False``.
        **kwargs: The other :class:`~glore_mmseg.ops.GloReUnit` arguments
            (``num_state``, ``num_node``, ``dims``, ``zero_init``).
    """

    _abbr_ = 'glore'

    def __init__(self,
                 in_channels: int,
                 norm_cfg: Optional[dict] = None,
                 normalize: bool = True,
                 **kwargs) -> None:

        def norm_layer(channels: int) -> nn.Module:
            return build_norm_layer(norm_cfg, channels)[1]

        super().__init__(
            in_channels,
            normalize=normalize,
            norm_layer=None if norm_cfg is None else norm_layer,
            **kwargs)
