"""Upper-triangle vectorisation of symmetric matrices, in either order."""
import functools
from typing import Optional, Tuple

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


@functools.lru_cache(maxsize=16)
def flat_triangle_index(dim: int, order: str,
                        device: torch.device) -> Tensor:
    """Positions of the upper triangle in a flattened (d*d) matrix.

    Built once per (dim, order, device) and kept: the necks call
    :func:`triangle_vector` on every step with the same d.
    """
    rows, cols = triangle_indices(dim, order, device)
    return rows * dim + cols


def triangle_vector(matrix: Tensor,
                    order: str = 'row',
                    index: Optional[Tensor] = None) -> Tensor:
    """The upper triangle of symmetric matrices, as vectors.

    ``index_select`` on the flattened matrices, whose backward is an
    ``index_add`` (advanced indexing ``matrix[:, rows, cols]`` gives the
    same values, but its backward is an accumulating ``index_put``, about
    twice as slow on CPU for d = 256).

    Args:
        matrix: (B, d, d), symmetric.
        order: ``'row'`` or ``'column'`` (see ``ORDERS``).
        index: (d(d+1)/2,) long, :func:`flat_triangle_index` of ``d`` and
            ``order`` built beforehand (a module buffer). Exporters then see
            a constant instead of ``tril_indices``, which ONNX lacks.

    Returns:
        (B, d(d+1)/2).
    """
    if index is None:
        index = flat_triangle_index(matrix.shape[-1], order, matrix.device)
    return matrix.flatten(1).index_select(1, index)


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
