"""Second-order pooling necks for mmpretrain classifiers."""
from typing import Sequence, Tuple

from mmengine.model import BaseModule
from mmpretrain.registry import MODELS
from torch import Tensor

from ...ops import CovPooling


@MODELS.register_module()
class ISQRTCovNeck(BaseModule):
    """Matrix power normalised covariance pooling (iSQRT-COV) neck.

    Replaces global average pooling: the last backbone feature map goes
    through :class:`~glore_mmseg.ops.CovPooling` (1x1 reduction to 256 +
    BN + ReLU, covariance, Newton-Schulz square root, upper triangle), a
    32,896-d vector for the linear head. GSoP-Net2: ``num_iter=3``.

    Args:
        in_channels: Channels of the backbone output (2048 for ResNet-50).
        reduced_channels: d; the output has d(d+1)/2 features.
        num_iter: Newton-Schulz steps.
        triangle_order: ``'column'`` (``triu().t()``, the order of released
            GSoP-Net2 / 3G-Net FC weights) or ``'row'`` (fast-MPN-COV).
        num_reweighting: 3G-Net re-weighting modules (0 here).
        eps: Added to the covariance diagonal.
        init_cfg: mmengine init config.
    """

    def __init__(self,
                 in_channels: int = 2048,
                 reduced_channels: int = 256,
                 num_iter: int = 3,
                 triangle_order: str = 'column',
                 num_reweighting: int = 0,
                 eps: float = 0.0,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.pooling = CovPooling(
            in_channels,
            reduced_channels=reduced_channels,
            num_iter=num_iter,
            triangle_order=triangle_order,
            num_reweighting=num_reweighting,
            eps=eps)

    def forward(self, inputs: Sequence[Tensor]) -> Tuple[Tensor, ...]:
        if isinstance(inputs, Tensor):
            inputs = (inputs, )
        return tuple(self.pooling(x) for x in inputs)


@MODELS.register_module()
class GeneralizedGaussianCovNeck(ISQRTCovNeck):
    """3G-Net's neck: three re-weighting steps before iSQRT-COV.

    Reduced features ``z``; ``x = R1(z, z)``, ``x = R2(x, z)``,
    ``x = R3(x, z)`` (:class:`~glore_mmseg.ops.PositionReweighting`), then
    covariance + 1e-7 I, a 5-step Newton-Schulz root and the triangle.

    Args: as :class:`ISQRTCovNeck`, with 3G-Net's defaults.
    """

    def __init__(self,
                 in_channels: int = 2048,
                 reduced_channels: int = 256,
                 num_iter: int = 5,
                 triangle_order: str = 'column',
                 num_reweighting: int = 3,
                 eps: float = 1e-7,
                 init_cfg=None) -> None:
        super().__init__(
            in_channels=in_channels,
            reduced_channels=reduced_channels,
            num_iter=num_iter,
            triangle_order=triangle_order,
            num_reweighting=num_reweighting,
            eps=eps,
            init_cfg=init_cfg)
