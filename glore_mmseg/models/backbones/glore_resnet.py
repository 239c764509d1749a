"""ResNets with GloRe units after chosen residual blocks."""
from typing import Optional, Sequence

from mmpretrain.models.backbones import ResNet as PretrainResNet
from mmpretrain.registry import MODELS as PRETRAIN_MODELS
from mmseg.models.backbones import ResNetV1c as SegResNetV1c
from mmseg.registry import MODELS as SEG_MODELS

from .resnet_extras import ResNetExtrasMixin, SizeSpec, UnitSpec

_GLORE_ARGS = """
    Args:
        glore_units: One entry per stage: a count (units after blocks 0, 2,
            4, ... of the stage, the official placement) or explicit 0-based
            block indices. ResNet-50 "+3 in Res4" is ``(0, 0, 3, 0)``, "+2 in
            Res3 +3 in Res4" ``(0, 2, 3, 0)``. Each unit has a blocker BN
            (eps 1e-4) and keys ``glore_units.layer{stage+1}_{block}.*``.
        glore_num_nodes: Nodes N of the units. ``None``: the official
            num_mid, the stage's block width (its ``conv1`` channels: 64,
            128, 256, 512 in ResNet-18 and -50). An int sets every unit;
            a tuple has one entry per stage: ``None`` (default), an int for
            the stage's units or one int per unit, e.g. ``(None, None, 128,
            None)``. A stage without units takes ``None``.
        glore_num_states: State channels S of the units, given like
            ``glore_num_nodes``. ``None``: twice the stage's block width.
        glore_zero_init: Zero the blockers so each unit starts as the
            identity (the official backbones); ``False`` starts them at
            weight 1, as a unit added without that trick.
        glore_normalize: Divide the projection by the number of positions
            (needed when the input size changes, e.g. segmentation).
        **kwargs: The ResNet's own arguments. Under ``norm_eval`` the
            blockers keep using batch statistics (see
            :meth:`ResNetExtrasMixin.train`).
"""


@PRETRAIN_MODELS.register_module()
class GloReResNet(ResNetExtrasMixin, PretrainResNet):
    __doc__ = ('mmpretrain ``ResNet`` with GloRe units inside its stages.\n'
               + _GLORE_ARGS)

    def __init__(self,
                 depth: int,
                 glore_units: Optional[Sequence[UnitSpec]] = (0, 0, 3, 0),
                 glore_normalize: bool = False,
                 glore_num_nodes: Optional[SizeSpec] = None,
                 glore_num_states: Optional[SizeSpec] = None,
                 glore_zero_init: bool = True,
                 **kwargs) -> None:
        super().__init__(depth, **kwargs)
        self.build_extras(glore_units=glore_units,
                          glore_normalize=glore_normalize,
                          glore_num_nodes=glore_num_nodes,
                          glore_num_states=glore_num_states,
                          glore_zero_init=glore_zero_init)


@SEG_MODELS.register_module()
class GloReResNetV1c(ResNetExtrasMixin, SegResNetV1c):
    __doc__ = ('mmseg ``ResNetV1c`` (dilated segmentation backbone) with GloRe'
               ' units inside its stages. ``glore_normalize`` defaults to\n'
               '    True: segmentation trains on crops and tests on whole '
               'images.\n' + _GLORE_ARGS)

    def __init__(self,
                 glore_units: Optional[Sequence[UnitSpec]] = (0, 0, 3, 0),
                 glore_normalize: bool = True,
                 glore_num_nodes: Optional[SizeSpec] = None,
                 glore_num_states: Optional[SizeSpec] = None,
                 glore_zero_init: bool = True,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.build_extras(glore_units=glore_units,
                          glore_normalize=glore_normalize,
                          glore_num_nodes=glore_num_nodes,
                          glore_num_states=glore_num_states,
                          glore_zero_init=glore_zero_init)
