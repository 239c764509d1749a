"""Compatibility fixes for the OpenMMLab stack on today's PyTorch and NumPy.

Everything the pinned stack (mmengine 0.10.7, mmcv 2.1, mmsegmentation 1.2.2,
cityscapesscripts 2.3.0) breaks on lives here, applied once by
:func:`apply` when ``glore_mmseg`` is imported, before anything imports
``mmseg.models``:

1. ``mmcv.ops`` without compiled ops (``mmcv-lite``): mmseg imports
   ``point_sample`` and ``sigmoid_focal_loss`` unconditionally. They get
   pure-PyTorch versions; any other op raises a ``ModuleNotFoundError`` that
   says it needs compiled mmcv. Nothing changes when compiled ops exist.
2. Checkpoints on torch >= 2.6: mmengine calls ``torch.load`` without
   ``weights_only``, and the new default refuses runner checkpoints. Local
   checkpoints are loaded weights-only with an explicit allow-list of the
   types mmengine writes, so resuming works and a checkpoint crafted to run
   code is refused.
3. ``np.in1d`` (removed in NumPy 2.4) for cityscapesscripts' evaluators.
"""
import importlib.util
import os.path as osp
import pickle
import sys
import types
from typing import Any, Callable, Dict, List, Optional, Union

import numpy as np
import torch
import torch.nn.functional as F

__all__ = [
    'apply', 'has_compiled_mmcv_ops', 'point_sample', 'sigmoid_focal_loss',
    'load_from_local_weights_only', 'UnsafeCheckpointError',
    'checkpoint_safe_globals'
]

_applied = False

# --------------------------------------------------------------------------
# 1. mmcv.ops without compiled extensions
# --------------------------------------------------------------------------


def has_compiled_mmcv_ops() -> bool:
    """Whether the installed mmcv ships its compiled ``mmcv._ext``."""
    try:
        return importlib.util.find_spec('mmcv._ext') is not None
    except (ImportError, ValueError):
        return False


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


def _missing_op(name: str) -> ModuleNotFoundError:
    # ModuleNotFoundError (not AttributeError) so that mmseg's
    # ``try: from mmcv.ops import X / except ModuleNotFoundError`` guards
    # keep working, and direct users see why.
    return ModuleNotFoundError(
        f'mmcv.ops.{name} needs the compiled mmcv ops, but the installed mmcv '
        '(mmcv-lite) has none. glore_mmseg provides pure-PyTorch '
        f'{sorted(_PURE_PYTORCH_OPS)} only; install a compiled mmcv==2.1.0 '
        '(pip uninstall mmcv-lite; pip install mmcv==2.1.0) to use '
        f'{name}.',
        name=f'mmcv.ops.{name}')


def _make_mmcv_ops_module() -> types.ModuleType:
    module = types.ModuleType(
        'mmcv.ops', 'glore_mmseg stand-in for mmcv.ops without compiled ops.')
    module.__dict__.update(_PURE_PYTORCH_OPS)
    module.__glore_mmseg_shim__ = True

    def __getattr__(name: str) -> Any:
        if name.startswith('__'):
            raise AttributeError(name)
        raise _missing_op(name)

    module.__getattr__ = __getattr__  # type: ignore[attr-defined]
    return module


def _install_mmcv_ops_shim() -> None:
    if has_compiled_mmcv_ops():
        return
    existing = sys.modules.get('mmcv.ops')
    if existing is not None and not getattr(existing, '__glore_mmseg_shim__',
                                            False):
        return  # a working mmcv.ops is already imported
    try:
        import mmcv
    except ModuleNotFoundError as err:
        raise ModuleNotFoundError(
            'glore_mmseg needs mmcv 2.1.x: install the pure-Python '
            "mmcv-lite==2.1.0 (pip install -e '.[lite]') or a compiled "
            'mmcv==2.1.0, not both.',
            name='mmcv') from err
    module = _make_mmcv_ops_module()
    sys.modules['mmcv.ops'] = module
    mmcv.ops = module  # type: ignore[attr-defined]


# --------------------------------------------------------------------------
# 2. Weights-only checkpoint loading
# --------------------------------------------------------------------------


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint holds pickled objects outside the weights-only allow-list.
    """


def _numpy_multiarray() -> types.ModuleType:
    try:  # NumPy >= 2 (np.core is a deprecated alias there)
        from numpy._core import multiarray
    except ImportError:  # NumPy 1.x
        from numpy.core import multiarray
    return multiarray


def _history_buffer_getattr(owner: Any, name: str) -> Any:
    """Stand-in for ``getattr`` while unpickling, for HistoryBuffer only.

    A HistoryBuffer pickles its statistics methods (``HistoryBuffer.min``
    ...) as ``getattr(HistoryBuffer, 'min')``. Allowing the real ``getattr``
    would reach any attribute of any unpickled object; this one resolves
    public attributes of the HistoryBuffer class and nothing else.
    """
    from mmengine.logging.history_buffer import HistoryBuffer
    if owner is not HistoryBuffer or name.startswith('_'):
        raise pickle.UnpicklingError(
            f'getattr({owner!r}, {name!r}) is not allowed in a checkpoint')
    return getattr(owner, name)


def checkpoint_safe_globals() -> List[Any]:
    """Types an mmengine runner checkpoint holds besides tensors.

    ``message_hub`` stores :class:`HistoryBuffer` objects (with references to
    their statistics methods) and NumPy scalars and arrays; ``meta`` stores
    plain Python values. None of these run code when unpickled.
    """
    from mmengine.logging.history_buffer import HistoryBuffer
    multiarray = _numpy_multiarray()
    allowed: List[Any] = [
        HistoryBuffer, np.ndarray, np.dtype, multiarray._reconstruct,
        multiarray.scalar, (_history_buffer_getattr, 'builtins.getattr')
    ]
    if multiarray.__name__ != 'numpy.core.multiarray':
        # Checkpoints written under NumPy 1.x name these numpy.core.*.
        allowed += [(multiarray._reconstruct,
                     'numpy.core.multiarray._reconstruct'),
                    (multiarray.scalar, 'numpy.core.multiarray.scalar')]
    # NumPy >= 1.25 pickles dtypes as instances of per-type classes
    # (numpy.dtypes.Float64DType, ...).
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:
        allowed += [
            getattr(dtypes, name) for name in dir(dtypes)
            if name.endswith('DType') and isinstance(
                getattr(dtypes, name), type)
        ]
    return allowed


def load_from_local_weights_only(
        filename: str,
        map_location: Optional[Union[str, torch.device, Callable]] = None
) -> Any:
    """Load a local checkpoint without executing pickled code.

    Args:
        filename: Path to a ``.pth`` file (``~`` is expanded).
        map_location: As in :func:`torch.load`.

    Returns:
        The loaded object (usually a dict).

    Raises:
        FileNotFoundError: The file does not exist.
        UnsafeCheckpointError: The file contains a pickled global outside the
            allow-list (for example a function that would run on load).
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(
            f'Checkpoint file not found: {filename!r} (check load_from, '
            'resume, model.pretrained or the path given on the command line)')
    try:
        with torch.serialization.safe_globals(checkpoint_safe_globals()):
            return torch.load(
                filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        raise UnsafeCheckpointError(
            f'Refused to load checkpoint {filename!r}: it contains pickled '
            'objects outside the weights-only allow-list, which could run '
            f'arbitrary code. torch said: {err}. If you wrote this file '
            'yourself and trust it, allow the listed type with '
            'torch.serialization.add_safe_globals([...]) or re-save its '
            'state_dict as plain tensors.') from err


def _install_checkpoint_loader() -> None:
    from mmengine.runner.checkpoint import CheckpointLoader
    CheckpointLoader.register_scheme(
        prefixes='', loader=load_from_local_weights_only, force=True)


# --------------------------------------------------------------------------
# 3. NumPy
# --------------------------------------------------------------------------


def _in1d(ar1: Any,
          ar2: Any,
          assume_unique: bool = False,
          invert: bool = False,
          **kwargs: Any) -> np.ndarray:
    """``np.in1d`` as NumPy < 2.4 defined it: a flattened ``np.isin``."""
    return np.isin(
        np.asarray(ar1).ravel(),
        ar2,
        assume_unique=assume_unique,
        invert=invert,
        **kwargs)


def _install_numpy_aliases() -> None:
    if not hasattr(np, 'in1d'):
        np.in1d = _in1d  # type: ignore[attr-defined]


def apply() -> None:
    """Apply every fix once; later calls do nothing."""
    global _applied
    if _applied:
        return
    _install_mmcv_ops_shim()
    _install_checkpoint_loader()
    _install_numpy_aliases()
    _applied = True
