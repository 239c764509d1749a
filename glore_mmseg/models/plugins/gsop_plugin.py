"""GSoP block registered in mmengine's root ``MODELS`` registry.

``plugins=[dict(cfg=dict(type='GSoPBlock', mode='channel'),
position='after_conv3')]`` in an mmseg ResNet puts the block on the last BN
output of every bottleneck of the chosen stages, before the residual add.
The official GSoP-Net1 uses it in the last bottleneck of each stage only:
that placement is :class:`~glore_mmseg.models.backbones.GSoPResNet`'s.
"""
from mmengine.registry import MODELS

from ...ops import GSoPBlock


@MODELS.register_module(name='GSoPBlock')
class GSoPPlugin(GSoPBlock):
    """:class:`~glore_mmseg.ops.GSoPBlock` as an mmcv plugin layer.

    Registered as ``type='GSoPBlock'``: configs build this class; the plain
    PyTorch class of that name is :class:`glore_mmseg.ops.GSoPBlock`.

    Args:
        in_channels: Channels C (mmcv passes the bottleneck's output width).
        **kwargs: ``mode``, ``reduced_channels`` (formerly ``dim``),
            ``reduce_stride``, ``pool_size``.
    """

    _abbr_ = 'gsop'
