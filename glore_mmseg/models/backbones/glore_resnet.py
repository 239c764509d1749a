"""ResNets with GloRe units after chosen residual blocks."""
from typing import Optional, Sequence

from mmpretrain.models.backbones import ResNet as PretrainResNet
from mmpretrain.registry import MODELS as PRETRAIN_MODELS
from mmseg.models.backbones import ResNetV1c as SegResNetV1c
from mmseg.registry import MODELS as SEG_MODELS

from .resnet_extras import ResNetExtrasMixin, UnitSpec

_GLORE_ARGS = """
    Args:
        glore_units: One entry per stage: a count (units after blocks 0, 2,
            4, ... of the stage, the official placement) or explicit 0-based
            block indices. ResNet-50 "+3 in Res4" is ``(0, 0, 3, 0)``, "+2 in
            Res3 +3 in Res4" ``(0, 2, 3, 0)``. Each unit has num_mid = the
            stage's bottleneck width (S = 2 num_mid states, N = num_mid
            nodes), a zero-initialised blocker (eps 1e-4) and keys
            ``glore_units.layer{stage+1}_{block}.*``.
        glore_normalize: Divide the projection by the number of positions
            (needed when the input size changes, e.g. segmentation).
        **kwargs: The ResNet's own arguments.
"""


@PRETRAIN_MODELS.register_module()
class GloReResNet(ResNetExtrasMixin, PretrainResNet):
    __doc__ = ('mmpretrain ``ResNet`` with GloRe units inside its stages.\n'
               + _GLORE_ARGS)

    def __init__(self,
                 depth: int,
                 glore_units: Optional[Sequence[UnitSpec]] = (0, 0, 3, 0),
                 glore_normalize: bool = False,
                 **kwargs) -> None:
        super().__init__(depth, **kwargs)
        self.build_extras(glore_units=glore_units,
                          glore_normalize=glore_normalize)


@SEG_MODELS.register_module()
class GloReResNetV1c(ResNetExtrasMixin, SegResNetV1c):
    __doc__ = ('mmseg ``ResNetV1c`` (dilated segmentation backbone) with GloRe'
               ' units inside its stages. ``glore_normalize`` defaults to\n'
               '    True: segmentation trains on crops and tests on whole '
               'images.\n' + _GLORE_ARGS)

    def __init__(self,
                 glore_units: Optional[Sequence[UnitSpec]] = (0, 0, 3, 0),
                 glore_normalize: bool = True,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.build_extras(glore_units=glore_units,
                          glore_normalize=glore_normalize)
