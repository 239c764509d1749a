"""Pure-PyTorch ``mmcv.ops`` for an mmcv without compiled ops (mmcv-lite).

mmseg 1.2.2 imports ``point_sample`` and ``sigmoid_focal_loss``
unconditionally; they get pure-PyTorch versions with mmcv's semantics. Any
other op says it needs compiled mmcv: imported (``from mmcv.ops import X``,
``import mmcv.ops.x``) as a ``ModuleNotFoundError``, which mmseg's
optional-op guards (``except ModuleNotFoundError``) expect; read as an
attribute as a :class:`MissingCompiledOpError` (an ``AttributeError``), so
that feature probes (``hasattr``, ``getattr(mmcv.ops, X, None)``) see the op
as absent. One class cannot be both: CPython's ImportError and
AttributeError have conflicting instance layouts.
"""
import sys
import types
from typing import Any, Callable, Dict, Optional

import torch
import torch.nn.functional as F

__all__ = [
    'MissingCompiledOpError', 'make_mmcv_ops_module', 'point_sample',
    'sigmoid_focal_loss'
]


def point_sample(input: torch.Tensor,
                 points: torch.Tensor,
                 align_corners: bool = False,
                 **kwargs: Any) -> torch.Tensor:
    """Sample features at relative point coordinates (mmcv's semantics).

    Args:
        input: Feature map (B, C, H, W).
        points: Points in [0, 1] x [0, 1], shape (B, P, 2) or (B, Hp, Wp, 2).
        align_corners: As in :func:`torch.nn.functional.grid_sample`.
        **kwargs: Passed to :func:`torch.nn.functional.grid_sample`.

    Returns:
        Sampled features (B, C, P) or (B, C, Hp, Wp).
    """
    add_dim = points.dim() == 3
    if add_dim:
        points = points.unsqueeze(2)
    output = F.grid_sample(
        input, 2.0 * points - 1.0, align_corners=align_corners, **kwargs)
    return output.squeeze(3) if add_dim else output


def sigmoid_focal_loss(input: torch.Tensor,
                       target: torch.Tensor,
                       gamma: float = 2.0,
                       alpha: float = 0.25,
                       weight: Optional[torch.Tensor] = None,
                       reduction: str = 'mean') -> torch.Tensor:
    """Sigmoid focal loss with mmcv's compiled-op semantics.

    Args:
        input: Logits (N, C).
        target: Class indices (N,); the value C means background (no
            positive class).
        gamma: Focusing parameter.
        alpha: Weight of the positive term; negatives get ``1 - alpha``.
        weight: Optional per-class weight (C,), indexed by each sample's
            target class.
        reduction: ``'none'`` (N, C), ``'mean'`` (sum / N) or ``'sum'``.

    Returns:
        The loss, reduced as requested.
    """
    if input.dim() != 2 or target.dim() != 1 or input.size(0) != target.size(
            0):
        raise ValueError('sigmoid_focal_loss expects input (N, C) and target '
                         f'(N,), got {tuple(input.shape)} and '
                         f'{tuple(target.shape)}')
    if reduction not in ('none', 'mean', 'sum'):
        raise ValueError(
            f'sigmoid_focal_loss: unknown reduction {reduction!r}')
    num_classes = input.size(1)
    one_hot = F.one_hot(target, num_classes + 1)[:, :num_classes].to(
        input.dtype)
    prob = input.sigmoid()
    # log(p) and log(1 - p) from logsigmoid for stability at large |logits|.
    pos = -alpha * (1 - prob).pow(gamma) * F.logsigmoid(input)
    neg = -(1 - alpha) * prob.pow(gamma) * F.logsigmoid(-input)
    loss = one_hot * pos + (1 - one_hot) * neg
    if weight is not None:
        if weight.dim() != 1 or weight.numel() != num_classes:
            raise ValueError('sigmoid_focal_loss: weight must have shape '
                             f'({num_classes},), got {tuple(weight.shape)}')
        if bool((target >= num_classes).any()):
            raise ValueError('sigmoid_focal_loss: a per-class weight cannot '
                             'index the background target value '
                             f'{num_classes}')
        loss = loss * weight[target].unsqueeze(1)
    if reduction == 'mean':
        return loss.sum() / input.size(0)
    if reduction == 'sum':
        return loss.sum()
    return loss


_PURE_PYTORCH_OPS: Dict[str, Callable] = {
    'point_sample': point_sample,
    'sigmoid_focal_loss': sigmoid_focal_loss,
}


class MissingCompiledOpError(AttributeError):
    """``mmcv.ops.X`` read as an attribute where X needs compiled mmcv."""


def _missing_op_message(name: str) -> str:
    return (f'mmcv.ops.{name} needs the compiled mmcv ops, but the installed '
            'mmcv (mmcv-lite) has none. glore_mmseg provides pure-PyTorch '
            f'{sorted(_PURE_PYTORCH_OPS)} only; install a compiled '
            'mmcv==2.1.0 (pip uninstall mmcv-lite; pip install mmcv==2.1.0) '
            f'to use {name}.')


class _MissingOpFinder:
    """Refuses ``mmcv.ops.<name>`` imports below the stand-in package.

    ``from mmcv.ops import X`` first reads X as an attribute; when that
    fails it imports ``mmcv.ops.X``, and this finder raises the error there.
    Its ``name`` is ``mmcv._ext`` (the module really missing): importlib
    would silently drop an error named ``mmcv.ops.X`` and raise a bare
    ``ImportError`` instead.
    """

    def find_spec(self, fullname: str, path: Any = None,
                  target: Any = None) -> None:
        parent, _, name = fullname.rpartition('.')
        if parent == 'mmcv.ops' and isinstance(
                sys.modules.get(parent), _StandInModule):
            raise ModuleNotFoundError(
                _missing_op_message(name), name='mmcv._ext')
        return None


class _StandInModule(types.ModuleType):
    """The type of the ``mmcv.ops`` stand-in (a package without files)."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith('__'):
            raise AttributeError(name)
        raise MissingCompiledOpError(_missing_op_message(name), name=name,
                                     obj=self)


def make_mmcv_ops_module() -> types.ModuleType:
    """A fresh ``mmcv.ops`` stand-in: the pure-PyTorch ops above; any other
    name says it needs compiled mmcv (see the module docstring)."""
    module = _StandInModule(
        'mmcv.ops', 'glore_mmseg stand-in for mmcv.ops without compiled ops.')
    module.__dict__.update(_PURE_PYTORCH_OPS)
    module.__path__ = []  # a package, so imports below it reach the finder
    if not any(isinstance(f, _MissingOpFinder) for f in sys.meta_path):
        sys.meta_path.append(_MissingOpFinder())
    return module
