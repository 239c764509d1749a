"""Covariance (second-order) pooling of feature maps, in float32."""
import torch
from torch import Tensor

from .precision import autocast_disabled, full_precision


def covariance(x: Tensor, eps: float = 0.0) -> Tensor:
    """Sample covariance of the channels over the positions.

    ``(1/M) X (I - 11^T/M) X^T`` for ``X`` of shape (C, M), computed as the
    Gram matrix of the centred features (same value, no MxM matrix).
    Runs in float32 (float64 inputs stay float64) with autocast off:
    bf16/fp16 sums over thousands of positions lose the small eigenvalues
    the square root needs.

    Args:
        x: Features (B, C, *spatial) or (B, C, M).
        eps: Added to the diagonal (3G-Net uses 1e-7).

    Returns:
        (B, C, C) float32 (float64 for float64 input), symmetric positive
        semi-definite. A single position or constant features give the zero
        matrix (+ eps I).
    """
    if x.dim() < 3:
        raise ValueError('covariance expects (B, C, *spatial) features, got '
                         f'shape {tuple(x.shape)}')
    with autocast_disabled(x.device.type):
        x = full_precision(x.flatten(2))
        centred = x - x.mean(dim=2, keepdim=True)
        cov = centred @ centred.transpose(1, 2) / x.shape[2]
        if eps:
            cov = cov + eps * torch.eye(
                cov.shape[1], device=cov.device, dtype=cov.dtype)
        return cov


def position_gram(x: Tensor) -> Tensor:
    """GSoP-Net's position-wise second-order statistics.

    ``(1/M) X^T X - (1/M^2) (X^T 1)(1^T X)`` for ``X`` of shape (d, M): a
    (M, M) matrix over positions, centred over channels but scaled by the
    number of positions M, as the official GSoP code computes it (it is not
    a true covariance; kept for weight compatibility).

    Args:
        x: (B, d, H, W) features (GSoP pools them to 8x8 first).

    Returns:
        (B, M, M) float32 with M = H * W.
    """
    with autocast_disabled(x.device.type):
        x = full_precision(x.flatten(2))
        positions = x.shape[2]
        column_sums = x.sum(dim=1, keepdim=True)  # (B, 1, M)
        gram = x.transpose(1, 2) @ x / positions
        return gram - column_sums.transpose(1, 2) @ column_sums / positions**2
