"""Upper-triangle vectorisation of symmetric matrices, in either order."""
from typing import Tuple

import torch
from torch import Tensor

#: ``'row'``: row-major upper triangle (fast-MPN-COV's ``triu`` order);
#: ``'column'``: column-major upper triangle, i.e. ``triu().t()`` order
#: (GSoP-Net2 and 3G-Net; their released FC weights expect it).
ORDERS = ('row', 'column')


def triangle_indices(dim: int, order: str = 'row',
                     device=None) -> Tuple[Tensor, Tensor]:
    """(rows, cols) of the dim*(dim+1)/2 upper-triangle entries."""
    if order == 'row':
        rows, cols = torch.triu_indices(dim, dim, device=device)
    elif order == 'column':
        # Row-major lower triangle, transposed: column-major upper triangle.
        cols, rows = torch.tril_indices(dim, dim, device=device)
    else:
        raise ValueError(f'order must be one of {ORDERS}, got {order!r}')
    return rows, cols


def triangle_vector(matrix: Tensor, order: str = 'row') -> Tensor:
    """(B, d, d) symmetric -> (B, d(d+1)/2): the upper triangle."""
    rows, cols = triangle_indices(matrix.shape[-1], order, matrix.device)
    return matrix[:, rows, cols]


def triangle_permutation(dim: int, source: str, target: str) -> Tensor:
    """Index ``p`` with ``vector_target = vector_source[p]``.

    Used to reorder the input columns of an FC layer trained on one order:
    ``weight_target = weight_source[:, p]``.
    """
    position = torch.full((dim, dim), -1, dtype=torch.long)
    rows, cols = triangle_indices(dim, source)
    position[rows, cols] = torch.arange(rows.numel())
    rows, cols = triangle_indices(dim, target)
    return position[rows, cols]
