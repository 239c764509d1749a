"""Matrix power normalised covariance pooling (iSQRT-COV, GSoP-Net2, 3G)."""
import torch
from torch import Tensor, nn

from .covariance import covariance
from .matrix_sqrt import newton_schulz_sqrt
from .reweighting import PositionReweighting
from .triangle import ORDERS, flat_triangle_index, triangle_vector


class CovPooling(nn.Module):
    """Reduce, (re-weight,) covariance, square root, upper triangle.

    ``1x1 conv C -> d (no bias) + BN + ReLU``, then optionally
    ``num_reweighting`` :class:`PositionReweighting` steps (3G-Net: 3, each
    taking the previous output and the reduced features), then the
    covariance (+ ``eps`` I), its Newton-Schulz square root with
    ``num_iter`` steps and the d(d+1)/2 upper-triangle vector.

    GSoP-Net2: ``num_iter=3``; iSQRT-COV: ``num_iter=5``; 3G-Net:
    ``num_reweighting=3, num_iter=5, eps=1e-7``. The covariance and root run
    in float32 under autocast.

    Args:
        in_channels: Input channels C (2048 for ResNet-50).
        reduced_channels: d (256: a 32,896-d output).
        num_iter: Newton-Schulz steps.
        triangle_order: ``'row'`` or ``'column'`` (``triu().t()``, the
            order of released GSoP-Net2 / 3G-Net FC weights). Formerly
            ``order`` (still accepted, with a ``FutureWarning``).
        num_reweighting: Re-weighting modules before the covariance.
        eps: Added to the covariance diagonal.
    """

    def __init__(self,
                 in_channels: int,
                 reduced_channels: int = 256,
                 num_iter: int = 3,
                 triangle_order: str = 'column',
                 num_reweighting: int = 0,
                 eps: float = 0.0) -> None:
        super().__init__()
        if triangle_order not in ORDERS:
            raise ValueError(f'triangle_order must be one of {ORDERS}, got '
                             f'{triangle_order!r}')
        if num_iter < 1:
            raise ValueError(f'num_iter must be >= 1, got {num_iter}')
        self.num_iter = num_iter
        self.triangle_order = triangle_order
        self.eps = eps
        self.reduce = nn.Sequential(
            nn.Conv2d(in_channels, reduced_channels, 1, bias=False),
            nn.BatchNorm2d(reduced_channels), nn.ReLU(inplace=True))
        self.reweighting = nn.ModuleList(
            PositionReweighting(reduced_channels)
            for _ in range(num_reweighting))
        self.out_channels = reduced_channels * (reduced_channels + 1) // 2
        # Non-persistent: state dicts (released weights included) stay as
        # they are; a constant for the exporters (ONNX has no tril_indices).
        self.register_buffer(
            'triangle_index',
            flat_triangle_index(reduced_channels, triangle_order,
                                torch.device('cpu')).clone(),
            persistent=False)

    def forward(self, x: Tensor) -> Tensor:
        """(B, C, H, W) -> (B, d(d+1)/2) float32."""
        if x.dim() != 4:
            raise ValueError('CovPooling expects (B, C, H, W) features, got '
                             f'shape {tuple(x.shape)}')
        z = self.reduce(x)
        x = z
        for module in self.reweighting:
            x = module(x, z)
        cov = covariance(x, eps=self.eps)
        return triangle_vector(newton_schulz_sqrt(cov, self.num_iter),
                               self.triangle_order, self.triangle_index)
