"""FCN decode head with GloRe units before the classifier (mmseg)."""
from typing import List, Optional

import torch
from mmcv.cnn import ConvModule
from mmengine.model import Sequential
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.registry import MODELS

from ..plugins import GloRePlugin


@MODELS.register_module()
class GloReHead(BaseDecodeHead):
    """Graph-based Global Reasoning head (Chen et al., CVPR 2019).

    As in the official segmentation code: a 3x3 conv ``in_channels ->
    channels`` (+ norm + act), ``num_units`` GloRe units, a 3x3 conv
    ``channels -> channels`` (+ norm + act), then the dropout and 1x1
    classifier of :class:`BaseDecodeHead`.

    Args:
        num_units: GloRe units between the two convs: 1 (the paper's best,
            78.25 % mIoU on Cityscapes val with ResNet-50) or 2.
        num_state: State channels S of each unit.
        num_node: Graph nodes N of each unit.
        normalize: Multiply the projection by 1/L so node features do not
            change scale between training crops and whole-image testing.
        zero_init: Start each unit as the identity (blocker weight and bias
            0), as the official *backbone* units do inside a pretrained
            ResNet. Off by default: the paper (Sec. 4.2) initialises the
            head's unit randomly, and the official segmentation head's
            blocker is a plain BatchNorm (weight 1, bias 0). From scratch,
            the zero start can keep the unit closed (docs: context
            benchmark).
        glore_norm_cfg: Norm config of the units' blocker. ``None`` uses the
            head's ``norm_cfg`` (BatchNorm if that is ``None``) with its own
            eps: mmcv's default 1e-5, as the official segmentation head's
            ``nn.BatchNorm2d``. With ``zero_init`` the default eps is 1e-4,
            that of the official backbone unit's blocker, whose start the
            option copies. An eps set in ``norm_cfg`` is always kept.
        **kwargs: :class:`BaseDecodeHead` arguments (``in_channels``,
            ``channels``, ``num_classes``, ``norm_cfg``, ``dropout_ratio``...).

    Shape:
        - Input: the backbone's feature maps; the selected one is
          (B, in_channels, H, W).
        - Output: logits (B, num_classes, H, W).
    """

    def __init__(self,
                 num_units: int = 1,
                 num_state: int = 128,
                 num_node: int = 64,
                 normalize: bool = True,
                 zero_init: bool = False,
                 glore_norm_cfg: Optional[dict] = None,
                 **kwargs) -> None:
        if num_units not in (1, 2):
            raise ValueError(
                f'GloReHead: num_units must be 1 or 2, got {num_units!r}')
        super().__init__(**kwargs)
        if glore_norm_cfg is None:
            glore_norm_cfg = dict(self.norm_cfg or dict(type='BN'))
            if zero_init:
                glore_norm_cfg.setdefault('eps', 1e-4)
        conv_kwargs = dict(
            kernel_size=3,
            padding=1,
            conv_cfg=self.conv_cfg,
            norm_cfg=self.norm_cfg,
            act_cfg=self.act_cfg)
        self.conv_in = ConvModule(self.in_channels, self.channels,
                                  **conv_kwargs)
        self.glore_units = Sequential(*[
            GloRePlugin(
                self.channels,
                num_state=num_state,
                num_node=num_node,
                dims=2,
                normalize=normalize,
                zero_init=zero_init,
                norm_cfg=glore_norm_cfg) for _ in range(num_units)
        ])
        self.conv_out = ConvModule(self.channels, self.channels,
                                   **conv_kwargs)

    def _forward_feature(self, inputs: List[torch.Tensor]) -> torch.Tensor:
        """Features before the classifier, (B, channels, H, W)."""
        x = self._transform_inputs(inputs)
        if isinstance(self.in_channels, int) and x.size(1) != self.in_channels:
            raise ValueError(
                f'GloReHead: decode_head.in_channels={self.in_channels} but '
                f'the selected feature map (in_index={self.in_index}) has '
                f'{x.size(1)} channels (shape {tuple(x.shape)})')
        return self.conv_out(self.glore_units(self.conv_in(x)))

    def forward(self, inputs: List[torch.Tensor]) -> torch.Tensor:
        return self.cls_seg(self._forward_feature(inputs))
