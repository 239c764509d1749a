"""Fix: weights-only checkpoint loading for every mmengine URL scheme.

mmengine 0.10.7 calls ``torch.load`` without ``weights_only`` for local
files (refused by torch >= 2.6 for runner checkpoints, which hold
``HistoryBuffer`` and NumPy objects) and loads ``http(s)://``,
``torchvision://``, ``open-mmlab://`` and ``mmcls://`` checkpoints from the
torch hub cache with ``weights_only=False``: a crafted file runs code. Every
scheme mmengine's ``CheckpointLoader`` knows is registered again here:
local, hub and model-zoo checkpoints are unpickled weights-only with one
explicit allow-list; ``pavi://`` and ``s3://`` / ``petrel://`` are refused
with an error saying how to load the file instead.
"""
import os
import os.path as osp
import pickle
import types
import zipfile
from typing import Any, Callable, List, Optional, Union
from urllib.parse import urlparse

import mmengine
import numpy as np
import torch
from mmengine.dist import get_dist_info
from mmengine.runner import checkpoint as mmengine_checkpoint
from mmengine.runner.checkpoint import CheckpointLoader
from mmengine.utils import digit_version

NAME = 'checkpoint_weights_only'

#: The newest mmengine release known to unpickle checkpoints in full.
LAST_AFFECTED_MMENGINE = '0.10.7'

MapLocation = Optional[Union[str, torch.device, Callable]]


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint holds pickled objects outside the weights-only allow-list.
    """


class NotACheckpointError(ValueError):
    """A file given as a checkpoint is not one ``torch.save`` wrote."""


def needed() -> Optional[str]:
    """Why the fix is needed here, or None for a newer mmengine."""
    version = mmengine.__version__
    if digit_version(version) > digit_version(LAST_AFFECTED_MMENGINE):
        return None
    return (f'mmengine {version} unpickles checkpoints without '
            'weights_only')


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


def _check_torch_file(filename: str) -> None:
    """Raise :class:`NotACheckpointError` unless ``filename`` looks like a
    ``torch.save`` file: a zip archive with a ``data.pkl`` record, or a
    legacy (pre-1.6) file, which starts with a pickle protocol >= 2 header.
    """
    what = None
    if zipfile.is_zipfile(filename):
        with zipfile.ZipFile(filename) as archive:
            if not any(name == 'data.pkl' or name.endswith('/data.pkl')
                       for name in archive.namelist()):
                what = 'a zip archive without the data.pkl record'
    else:
        with open(filename, 'rb') as f:
            if f.read(1) != b'\x80':
                what = 'neither a zip archive nor a pickle'
    if what is not None:
        raise NotACheckpointError(
            f'{filename!r} is not a PyTorch checkpoint ({what}); give the '
            '.pth file written by torch.save / the Runner')


def load_from_local_weights_only(filename: str,
                                 map_location: MapLocation = None) -> Any:
    """Load a local checkpoint without executing pickled code.

    Args:
        filename: Path to a ``.pth`` file (``~`` is expanded).
        map_location: As in :func:`torch.load`.

    Returns:
        The loaded object (usually a dict).

    Raises:
        FileNotFoundError: The file does not exist.
        NotACheckpointError: The file is not a ``torch.save`` file, or is
            damaged.
        UnsafeCheckpointError: The file contains a pickled global outside the
            allow-list (for example a function that would run on load).
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(
            f'Checkpoint file not found: {filename!r} (check load_from, '
            'resume, model.pretrained or the path given on the command line)')
    _check_torch_file(filename)
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
    except (RuntimeError, EOFError, KeyError, ValueError) as err:
        raise NotACheckpointError(
            f'{filename!r} is not a PyTorch checkpoint or is damaged: '
            f'{type(err).__name__}: {err}') from err


def _hub_cache_file(url: str, model_dir: Optional[str]) -> str:
    """The torch hub cache file of ``url`` (mmengine's and torch's naming),
    downloaded first when it is not there."""
    if model_dir is None:
        model_dir = osp.join(torch.hub.get_dir(), 'checkpoints')
    os.makedirs(model_dir, exist_ok=True)
    cached = osp.join(model_dir, osp.basename(urlparse(url).path))
    if not osp.exists(cached):
        torch.hub.download_url_to_file(url, cached, progress=False)
    return cached


def load_from_http_weights_only(url: str,
                                map_location: MapLocation = None,
                                model_dir: Optional[str] = None) -> Any:
    """Download ``url`` into the torch hub cache (once; in distributed runs
    local rank 0 first) and load it weights-only."""
    rank, world_size = get_dist_info()
    if rank == 0:
        cached = _hub_cache_file(url, model_dir)
    if world_size > 1:
        torch.distributed.barrier()
        if rank > 0:
            cached = _hub_cache_file(url, model_dir)
    return load_from_local_weights_only(cached, map_location)


def load_from_torchvision_weights_only(filename: str,
                                       map_location: MapLocation = None
                                       ) -> Any:
    """``torchvision://NAME`` (or the deprecated ``modelzoo://NAME``)."""
    name = filename.split('://', 1)[1]
    urls = mmengine_checkpoint.get_torchvision_models()
    return load_from_http_weights_only(urls[name], map_location)


def load_from_openmmlab_weights_only(filename: str,
                                     map_location: MapLocation = None) -> Any:
    """``open-mmlab://NAME`` / ``openmmlab://NAME``: an URL, or a file
    under the mmengine home, from mmengine's model list."""
    name = filename.split('://', 1)[1]
    name = mmengine_checkpoint.get_deprecated_model_names().get(name, name)
    target = mmengine_checkpoint.get_external_models()[name]
    if target.startswith(('http://', 'https://')):
        return load_from_http_weights_only(target, map_location)
    return load_from_local_weights_only(
        osp.join(mmengine_checkpoint._get_mmengine_home(), target),
        map_location)


def load_from_mmcls_weights_only(filename: str,
                                 map_location: MapLocation = None) -> Any:
    """``mmcls://NAME``, its keys renamed as mmengine does."""
    url = mmengine_checkpoint.get_mmcls_models()[filename[len('mmcls://'):]]
    return mmengine_checkpoint._process_mmcls_checkpoint(
        load_from_http_weights_only(url, map_location))


def refuse_remote_storage(filename: str,
                          map_location: MapLocation = None) -> Any:
    """``pavi://``, ``s3://``, ``petrel://``: refused (mmengine unpickles
    them in full)."""
    raise UnsafeCheckpointError(
        f'Refused to load checkpoint {filename!r}: glore_mmseg loads '
        'checkpoints weights-only, which it does not do for pavi/s3/petrel '
        'storage. Copy the file to local disk and give its path.')


#: Every prefix mmengine 0.10.7 registers, with its weights-only loader.
LOADERS = {
    '': load_from_local_weights_only,
    'http://': load_from_http_weights_only,
    'https://': load_from_http_weights_only,
    'torchvision://': load_from_torchvision_weights_only,
    'modelzoo://': load_from_torchvision_weights_only,
    'open-mmlab://': load_from_openmmlab_weights_only,
    'openmmlab://': load_from_openmmlab_weights_only,
    'mmcls://': load_from_mmcls_weights_only,
    'pavi://': refuse_remote_storage,
    r'(\S+\:)?s3://': refuse_remote_storage,
    r'(\S+\:)?petrel://': refuse_remote_storage,
}


def install() -> None:
    """Register :data:`LOADERS` in mmengine's ``CheckpointLoader``."""
    for prefix, loader in LOADERS.items():
        CheckpointLoader.register_scheme(prefix, loader, force=True)
