"""ResNets with GSoP-Net1 blocks in the last bottleneck of chosen stages."""
from typing import Sequence

from mmpretrain.models.backbones import ResNet as PretrainResNet
from mmpretrain.registry import MODELS as PRETRAIN_MODELS
from mmseg.models.backbones import ResNetV1c as SegResNetV1c
from mmseg.registry import MODELS as SEG_MODELS

from .resnet_extras import ResNetExtrasMixin

_GSOP_ARGS = """
    Args:
        gsop_mode: ``'channel'`` (GSoP-Net1 default), ``'position'``,
            ``'avg'``, ``'max'`` or ``'concat'`` (the fusions).
        gsop_stages: One flag per stage: a GSoP block in the stage's last
            bottleneck, on its last BN output before the residual add.
            GSoP-Net1: all four; GSoP-Net2: the first three (layer4 feeds
            the covariance-pooling neck).
        gsop_reduced_channels: Reduced channels d of the block (128).
            Formerly ``gsop_dim`` (still accepted, with a
            ``FutureWarning``).
        **kwargs: The ResNet's own arguments. The official GSoP networks use
            ``strides=(1, 2, 2, 1)`` (layer4 at stride 1, 14x14 at 224).
"""


@PRETRAIN_MODELS.register_module()
class GSoPResNet(ResNetExtrasMixin, PretrainResNet):
    __doc__ = 'mmpretrain ``ResNet`` with GSoP blocks (GSoP-Net).\n' + \
        _GSOP_ARGS

    def __init__(self,
                 depth: int,
                 gsop_mode: str = 'channel',
                 gsop_stages: Sequence[bool] = (True, True, True, True),
                 gsop_reduced_channels: int = 128,
                 **kwargs) -> None:
        super().__init__(depth, **kwargs)
        self.build_extras(gsop_stages=gsop_stages, gsop_mode=gsop_mode,
                          gsop_reduced_channels=gsop_reduced_channels)


@SEG_MODELS.register_module()
class GSoPResNetV1c(ResNetExtrasMixin, SegResNetV1c):
    __doc__ = 'mmseg ``ResNetV1c`` with GSoP blocks.\n' + _GSOP_ARGS

    def __init__(self,
                 gsop_mode: str = 'channel',
                 gsop_stages: Sequence[bool] = (True, True, True, True),
                 gsop_reduced_channels: int = 128,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.build_extras(gsop_stages=gsop_stages, gsop_mode=gsop_mode,
                          gsop_reduced_channels=gsop_reduced_channels)
