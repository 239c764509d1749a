"""GSoP-Net1's global second-order pooling attention block."""
import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .covariance import covariance, position_gram

MODES = ('channel', 'position', 'avg', 'max', 'concat')


class RowWiseHead(nn.Module):
    """Second-order statistics (B, n, n) -> (B, out, 1, 1) via row-wise conv.

    BatchNorm over the n rows, then each row is convolved on its own (a
    grouped ``(n, 1)`` convolution with 4 outputs per row) and a 1x1 conv
    maps the 4n responses to ``out_channels``.

    Args:
        matrix_size: n, the side of the statistics matrix (the reduced
            channels d, or the pooled positions for the position branch).
        out_channels: Output channels.
        hidden_act: ReLU between the row-wise conv and the 1x1 conv (the
            official position branch has it, the channel branch not).
    """

    def __init__(self, matrix_size: int, out_channels: int, *,
                 hidden_act: bool) -> None:
        super().__init__()
        n = matrix_size
        self.row_norm = nn.BatchNorm2d(n)
        self.row_conv = nn.Conv2d(n, 4 * n, (n, 1), groups=n)
        self.act = nn.ReLU(inplace=True) if hidden_act else nn.Identity()
        self.fc = nn.Conv2d(4 * n, out_channels, 1)

    def forward(self, stats: Tensor) -> Tensor:
        """(B, n, n) -> (B, out_channels, 1, 1)."""
        x = self.row_norm(stats.unsqueeze(-1))  # (B, d, d, 1)
        return self.fc(self.act(self.row_conv(x)))


class GSoPBlock(nn.Module):
    """Global second-order pooling attention (GSoP-Net1).

    Applied to a bottleneck's last BN output, before the residual add.

    * channel: ``relu -> 1x1 conv C->d (+bias, stride) -> BN -> relu ->``
      covariance (B, d, d) -> :class:`RowWiseHead` -> sigmoid: one weight
      per channel; returns ``x * w``.
    * position: ``relu -> 1x1 conv C->d -> BN -> avg-pool to 8x8 ->``
      position statistics (B, 64, 64) -> :class:`RowWiseHead` (ReLU inside)
      -> sigmoid -> 8x8 map resized to H x W; returns ``relu(x * w)``.
    * avg: the sum of both outputs; max: their element-wise max; concat: two
      grouped ``(k, 1)`` convolutions, one per branch, summed, then BN.

    Parameter layout and maths follow the official GSoP code (MIT), so its
    weights convert one to one (see ``glore_mmseg.converters``).

    Args:
        in_channels: C.
        mode: One of ``'channel'``, ``'position'``, ``'avg'``, ``'max'``,
            ``'concat'``.
        reduced_channels: Reduced channels d (128). Formerly ``dim``
            (still accepted, with a ``FutureWarning``).
        reduce_stride: Stride of the channel branch's 1x1 reduction (the
            official code uses 2 in the first stage).
        pool_size: Side of the position branch's pooled grid (8).
    """

    def __init__(self,
                 in_channels: int,
                 mode: str = 'channel',
                 reduced_channels: int = 128,
                 reduce_stride: int = 1,
                 pool_size: int = 8) -> None:
        super().__init__()
        if mode not in MODES:
            raise ValueError(f'mode must be one of {MODES}, got {mode!r}')
        self.mode = mode
        self.pool_size = pool_size
        if mode != 'position':
            self.channel_reduce = nn.Sequential(
                nn.ReLU(),
                nn.Conv2d(in_channels, reduced_channels, 1,
                          stride=reduce_stride),
                nn.BatchNorm2d(reduced_channels), nn.ReLU(inplace=True))
            self.channel_head = RowWiseHead(
                reduced_channels, in_channels, hidden_act=False)
        if mode != 'channel':
            positions = pool_size * pool_size
            self.position_reduce = nn.Sequential(
                nn.ReLU(), nn.Conv2d(in_channels, reduced_channels, 1),
                nn.BatchNorm2d(reduced_channels))
            self.position_head = RowWiseHead(
                positions, positions, hidden_act=True)
        if mode == 'concat':
            groups = in_channels // 64
            if in_channels % 64 or groups < 1 or 32 % groups:
                raise ValueError('concat mode needs in_channels = 64 * g '
                                 f'with g dividing 32, got {in_channels}')
            factor = int(math.log2(32 // groups))
            kernel, padding = (2 * factor + 5, 1), (factor + 2, 0)
            self.concat_channel = nn.Conv2d(
                in_channels, in_channels, kernel, padding=padding,
                groups=groups)
            self.concat_position = nn.Conv2d(
                in_channels, in_channels, kernel, padding=padding,
                groups=groups)
            self.concat_norm = nn.BatchNorm2d(in_channels)

    def channel_weights(self, x: Tensor) -> Tensor:
        """(B, C, H, W) -> (B, C, 1, 1) in (0, 1)."""
        reduced = self.channel_reduce(x)
        return torch.sigmoid(self.channel_head(covariance(reduced)))

    def position_weights(self, x: Tensor) -> Tensor:
        """(B, C, H, W) -> (B, 1, H, W) in (0, 1)."""
        size = self.pool_size
        reduced = F.adaptive_avg_pool2d(self.position_reduce(x), size)
        weights = torch.sigmoid(self.position_head(position_gram(reduced)))
        weights = weights.view(x.shape[0], 1, size, size).to(x.dtype)
        return F.adaptive_avg_pool2d(weights, x.shape[2:])

    def forward(self, x: Tensor) -> Tensor:
        """(B, C, H, W) -> (B, C, H, W)."""
        if x.dim() != 4:
            raise ValueError('GSoPBlock expects (B, C, H, W) features, got '
                             f'shape {tuple(x.shape)}')
        if self.mode == 'channel':
            return x * self.channel_weights(x).to(x.dtype)
        by_position = torch.relu(x * self.position_weights(x))
        if self.mode == 'position':
            return by_position
        by_channel = x * self.channel_weights(x).to(x.dtype)
        if self.mode == 'avg':
            return by_channel + by_position
        if self.mode == 'max':
            return torch.maximum(by_channel, by_position)
        return self.concat_norm(
            self.concat_channel(by_channel) +
            self.concat_position(by_position))
