"""3G-Net's learned re-weighting of positions (generalised Gaussian)."""
import torch
from torch import Tensor, nn


def _conv_bn(in_channels: int, out_channels: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 1, bias=False),
        nn.BatchNorm2d(out_channels))


class PositionReweighting(nn.Module):
    """Per-position weights for a generalised-Gaussian covariance estimate.

    3G-Net estimates the covariance of a generalised Gaussian by iterative
    re-weighting: each position's feature is weighted by a function of its
    (Mahalanobis-like) distance before the next covariance. The network
    unrolls a few steps and learns the weighting function: from the current
    features ``x`` and the reduced input ``z`` it predicts one weight per
    position and returns ``x * sigmoid(s)``::

        p = relu(bn(W1 x) * bn(W2 x) + bn(W3 z))      second-order interaction
        q = relu(bn(W4 p)) * relu(bn(W5 p))
        s = (1 + a) * V2 relu(bn(V1 q))                V1: C -> C/r, V2: -> 1

    Written from the 3G-Net paper's equations and its released weights'
    layout (the official code has no licence, so none of it is used).
    346,817 parameters for C = 256, r = 4.

    Args:
        channels: Feature channels C (256 in 3G-Net).
        reduction: Channel reduction r of the weight predictor.
    """

    def __init__(self, channels: int, reduction: int = 4) -> None:
        super().__init__()
        if channels % reduction:
            raise ValueError(f'channels ({channels}) must be divisible by '
                             f'reduction ({reduction})')
        self.left = _conv_bn(channels, channels)
        self.right = _conv_bn(channels, channels)
        self.input_branch = _conv_bn(channels, channels)
        self.gate_a = _conv_bn(channels, channels)
        self.gate_b = _conv_bn(channels, channels)
        self.score_hidden = _conv_bn(channels, channels // reduction)
        self.score = nn.Conv2d(channels // reduction, 1, 1, bias=False)
        # A learned 1x1 (scalar) rescaling of the score, added to it.
        self.score_scale = nn.Conv2d(1, 1, 1, bias=False)

    def weights(self, x: Tensor, z: Tensor) -> Tensor:
        """(B, 1, H, W) position weights in (0, 1)."""
        p = torch.relu(self.left(x) * self.right(x) + self.input_branch(z))
        q = torch.relu(self.gate_a(p)) * torch.relu(self.gate_b(p))
        s = self.score(torch.relu(self.score_hidden(q)))
        return torch.sigmoid(s + self.score_scale(s))

    def forward(self, x: Tensor, z: Tensor) -> Tensor:
        """
        Args:
            x: (B, C, H, W) current (re-weighted) features.
            z: (B, C, H, W) the module stack's input features.

        Returns:
            (B, C, H, W): ``x`` scaled per position.
        """
        if x.shape != z.shape:
            raise ValueError(f'x {tuple(x.shape)} and z {tuple(z.shape)} '
                             'must have the same shape')
        return x * self.weights(x, z)
