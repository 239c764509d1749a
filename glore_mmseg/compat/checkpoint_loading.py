"""Fix: weights-only checkpoint loading for every mmengine URL scheme.

mmengine 0.10.7 calls ``torch.load`` without ``weights_only`` for local
files (refused by torch >= 2.6 for runner checkpoints, which hold
``HistoryBuffer`` and NumPy objects) and loads ``http(s)://``,
``torchvision://``, ``open-mmlab://`` and ``mmcls://`` checkpoints from the
torch hub cache with ``weights_only=False``: a crafted file runs code. Each
scheme mmengine's ``CheckpointLoader`` registers gets a loader of the same
name that unpickles weights-only with one explicit allow-list: hub and
model-zoo files from the hub cache, ``s3://`` / ``petrel://`` objects read
into memory through mmengine's file backend, ``pavi://`` models downloaded
by pavi. Only torch's own opt-out (``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1``)
unpickles in full, and only the user's local files. A loader someone else
registered for a scheme is left in place.
"""
import io
import logging
import os
import os.path as osp
import pickle
import types
import zipfile
from tempfile import TemporaryDirectory
from typing import IO, Any, Callable, List, Optional, Union
from urllib.parse import urlparse

import mmengine
import numpy as np
import torch
from mmengine.dist import get_dist_info
from mmengine.fileio import get_file_backend
from mmengine.logging import print_log
from mmengine.runner import checkpoint as mmengine_checkpoint
from mmengine.runner.checkpoint import CheckpointLoader
from mmengine.utils import digit_version

NAME = 'checkpoint_weights_only'

#: The newest mmengine release known to unpickle checkpoints in full.
LAST_AFFECTED_MMENGINE = '0.10.7'

MapLocation = Optional[Union[str, torch.device, Callable]]

#: torch's documented opt-out of weights-only loading.
OPT_OUT_VARIABLE = 'TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD'

_opt_out_logged = False


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
    their statistics methods, including those registered with
    ``HistoryBuffer.register_statistics``, read here at load time) and NumPy
    scalars and arrays; ``meta`` stores plain Python values. None of these
    run code when unpickled.
    """
    from mmengine.logging.history_buffer import HistoryBuffer
    multiarray = _numpy_multiarray()
    allowed: List[Any] = [
        HistoryBuffer, np.ndarray, np.dtype, multiarray._reconstruct,
        multiarray.scalar, (_history_buffer_getattr, 'builtins.getattr')
    ]
    allowed += [
        method for method in HistoryBuffer._statistics_methods.values()
        if hasattr(method, '__module__') and hasattr(method, '__qualname__')
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


def _check_torch_file(file: Union[str, IO[bytes]], name: str) -> None:
    """Raise :class:`NotACheckpointError` unless ``file`` looks like a
    ``torch.save`` file: a zip archive with a ``data.pkl`` record, or a
    legacy (pre-1.6) file, which starts with a pickle protocol >= 2 header.
    """
    what = None
    if zipfile.is_zipfile(file):
        with zipfile.ZipFile(file) as archive:
            if not any(entry == 'data.pkl' or entry.endswith('/data.pkl')
                       for entry in archive.namelist()):
                what = 'a zip archive without the data.pkl record'
    elif isinstance(file, str):
        with open(file, 'rb') as f:
            if f.read(1) != b'\x80':
                what = 'neither a zip archive nor a pickle'
    elif file.read(1) != b'\x80':
        what = 'neither a zip archive nor a pickle'
    if not isinstance(file, str):
        file.seek(0)
    if what is not None:
        raise NotACheckpointError(
            f'{name!r} is not a PyTorch checkpoint ({what}); give the '
            '.pth file written by torch.save / the Runner')


def _load_weights_only(file: Union[str, IO[bytes]],
                       name: str,
                       map_location: MapLocation,
                       mmap: bool = False) -> Any:
    """``torch.load`` weights-only with :func:`checkpoint_safe_globals`;
    errors name the checkpoint as ``name``. ``mmap`` memory-maps a zip
    checkpoint file (legacy files are read)."""
    _check_torch_file(file, name)
    mmap = mmap and isinstance(file, str) and zipfile.is_zipfile(file)
    try:
        with torch.serialization.safe_globals(checkpoint_safe_globals()):
            return torch.load(
                file, map_location=map_location, weights_only=True,
                mmap=mmap)
    except pickle.UnpicklingError as err:
        raise UnsafeCheckpointError(
            f'Refused to load checkpoint {name!r}: it contains pickled '
            'objects outside the weights-only allow-list, which could run '
            f'arbitrary code. torch said: {err}. If you wrote this file '
            'yourself and trust it, allow the listed type with '
            'torch.serialization.add_safe_globals([...]), re-save its '
            'state_dict as plain tensors, or (local files only) set '
            f'{OPT_OUT_VARIABLE}=1.') from err
    except (RuntimeError, EOFError, KeyError, ValueError) as err:
        raise NotACheckpointError(
            f'{name!r} is not a PyTorch checkpoint or is damaged: '
            f'{type(err).__name__}: {err}') from err


def _existing_file(filename: str) -> str:
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(
            f'Checkpoint file not found: {filename!r} (check load_from, '
            'resume, model.pretrained or the path given on the command line)')
    return filename


def load_from_local_weights_only(filename: str,
                                 map_location: MapLocation = None,
                                 mmap: bool = False) -> Any:
    """Load a local checkpoint without executing pickled code.

    Args:
        filename: Path to a ``.pth`` file (``~`` is expanded).
        map_location: As in :func:`torch.load`.
        mmap: Memory-map the tensors instead of reading them (only what is
            used is read; for keys and shapes that is nothing).

    Returns:
        The loaded object (usually a dict).

    Raises:
        FileNotFoundError: The file does not exist.
        NotACheckpointError: The file is not a ``torch.save`` file, or is
            damaged.
        UnsafeCheckpointError: The file contains a pickled global outside the
            allow-list (for example a function that would run on load).
    """
    filename = _existing_file(filename)
    return _load_weights_only(filename, filename, map_location, mmap)


def weights_only_opted_out() -> bool:
    """Whether the user set torch's ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD``."""
    return os.getenv(OPT_OUT_VARIABLE, '0').lower() in ('1', 'y', 'yes',
                                                        'true')


def load_from_local(filename: str, map_location: MapLocation = None) -> Any:
    """A local checkpoint (``''`` scheme): weights-only, unless the user
    opted out with torch's ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1``; then
    torch decides (logged once)."""
    global _opt_out_logged
    if not weights_only_opted_out():
        return load_from_local_weights_only(filename, map_location)
    filename = _existing_file(filename)
    _check_torch_file(filename, filename)
    if not _opt_out_logged:
        print_log(
            f'{OPT_OUT_VARIABLE} is set: local checkpoints are unpickled in '
            'full, which runs any code they contain; downloaded and remote '
            'checkpoints stay weights-only.',
            logger='current',
            level=logging.WARNING)
        _opt_out_logged = True
    # No weights_only argument: torch applies its own environment rules.
    return torch.load(filename, map_location=map_location)


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


def load_from_http(filename: str,
                   map_location: MapLocation = None,
                   model_dir: Optional[str] = None) -> Any:
    """Download ``filename`` (an URL) into the torch hub cache (once; in
    distributed runs local rank 0 first) and load it weights-only."""
    rank, world_size = get_dist_info()
    if rank == 0:
        cached = _hub_cache_file(filename, model_dir)
    if world_size > 1:
        torch.distributed.barrier()
        if rank > 0:
            cached = _hub_cache_file(filename, model_dir)
    return load_from_local_weights_only(cached, map_location)


def load_from_torchvision(filename: str,
                          map_location: MapLocation = None) -> Any:
    """``torchvision://NAME`` (or the deprecated ``modelzoo://NAME``)."""
    name = filename.split('://', 1)[1]
    urls = mmengine_checkpoint.get_torchvision_models()
    return load_from_http(urls[name], map_location)


def load_from_openmmlab(filename: str,
                        map_location: MapLocation = None) -> Any:
    """``open-mmlab://NAME`` / ``openmmlab://NAME``: an URL, or a file
    under the mmengine home, from mmengine's model list."""
    name = filename.split('://', 1)[1]
    name = mmengine_checkpoint.get_deprecated_model_names().get(name, name)
    target = mmengine_checkpoint.get_external_models()[name]
    if target.startswith(('http://', 'https://')):
        return load_from_http(target, map_location)
    return load_from_local_weights_only(
        osp.join(mmengine_checkpoint._get_mmengine_home(), target),
        map_location)


def load_from_mmcls(filename: str, map_location: MapLocation = None) -> Any:
    """``mmcls://NAME``, its keys renamed as mmengine does."""
    url = mmengine_checkpoint.get_mmcls_models()[filename[len('mmcls://'):]]
    return mmengine_checkpoint._process_mmcls_checkpoint(
        load_from_http(url, map_location))


def load_from_pavi(filename: str, map_location: MapLocation = None) -> Any:
    """``pavi://PATH``: downloaded by pavi's model cloud into a temporary
    folder, as mmengine does, and loaded weights-only."""
    try:
        from pavi import modelcloud
    except ImportError as err:
        raise ImportError(
            f'Loading {filename!r} needs pavi: install it to load '
            'checkpoints from its model cloud.') from err
    model = modelcloud.get(filename[len('pavi://'):])
    with TemporaryDirectory() as tmp_dir:
        downloaded = osp.join(tmp_dir, model.name)
        model.download(downloaded)
        return _load_weights_only(downloaded, filename, map_location)


def load_from_ceph(filename: str,
                   map_location: MapLocation = None,
                   backend: str = 'petrel') -> Any:
    """``s3://`` / ``petrel://`` (optionally ``NAME:s3://``): read into
    memory through mmengine's file backend, as mmengine does, and loaded
    weights-only."""
    file_backend = get_file_backend(
        filename, backend_args={'backend': backend})
    with io.BytesIO(file_backend.get(filename)) as buffer:
        return _load_weights_only(buffer, filename, map_location)


#: Every prefix mmengine 0.10.7 registers, with its weights-only loader of
#: the same name.
LOADERS = {
    '': load_from_local,
    'http://': load_from_http,
    'https://': load_from_http,
    'torchvision://': load_from_torchvision,
    'modelzoo://': load_from_torchvision,
    'open-mmlab://': load_from_openmmlab,
    'openmmlab://': load_from_openmmlab,
    'mmcls://': load_from_mmcls,
    'pavi://': load_from_pavi,
    r'(\S+\:)?s3://': load_from_ceph,
    r'(\S+\:)?petrel://': load_from_ceph,
}


def install() -> None:
    """Register :data:`LOADERS` in mmengine's ``CheckpointLoader`` for the
    prefixes that still have mmengine's own loader."""
    for prefix, loader in LOADERS.items():
        current = CheckpointLoader._schemes.get(prefix)
        if current is None or getattr(current, '__module__',
                                      None) in (mmengine_checkpoint.__name__,
                                                __name__):
            CheckpointLoader.register_scheme(prefix, loader, force=True)
