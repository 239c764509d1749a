"""A pre-decoded copy of PNG images and label maps, memory-mapped.

Each ``<name>.png`` gets a sibling ``<name>.npy`` holding the array the
stock loader would decode (BGR uint8 image, uint8 label map). Loading it is
an ``mmap``: no decoding, and a crop reads only the rows it covers. The data
set still lists the PNGs, so the cache can be added or deleted at any time;
``tools/build_decoded_cache.py`` writes it.

Beside each cache file, ``<name>.npy.source`` records the PNG's size and
modification time at build. Each process compares them with the PNG the
first time it reads a cache file, so a PNG edited after the build (even at
the same size) stops the run with the file named instead of training on
the old pixels.
"""
import glob
import json
import os
import os.path as osp
from typing import Iterable, List, Optional, Set

import numpy as np
from mmengine.logging import print_log

from .png_decoding import PNGDecoder, read_png_header

CACHE_MODES = ('auto', 'require', 'off')
BUILD_HINT = 'build it with: python tools/build_decoded_cache.py DATA_ROOT'
SOURCE_SUFFIX = '.source'
PARTIAL_SUFFIX = '.tmp'

# PNGs whose cache file this process has checked against them.
_checked: Set[str] = set()


def cache_path(png_path: str) -> str:
    """The cache file of a PNG: the same path with ``.npy`` for ``.png``."""
    return osp.splitext(png_path)[0] + '.npy'


def _source_record(png_path: str) -> dict:
    stat = os.stat(png_path)
    return dict(size=stat.st_size, mtime_ns=stat.st_mtime_ns)


def write_cached(png_path: str, array: np.ndarray) -> str:
    """Store ``array`` as the cache file of ``png_path``, atomically, with
    the PNG's size and modification time beside it.

    Args:
        png_path: The PNG the array was decoded from.
        array: Decoded pixels, (H, W, 3) or (H, W) uint8.

    Returns:
        The cache file written.
    """
    path = cache_path(png_path)
    record = _source_record(png_path)
    tmp = path + PARTIAL_SUFFIX + '.npy'
    np.save(tmp, np.ascontiguousarray(array))
    source_tmp = path + SOURCE_SUFFIX + PARTIAL_SUFFIX
    with open(source_tmp, 'w') as f:
        json.dump(record, f)
    # The record first: a cache file is never newer than its record.
    os.replace(source_tmp, path + SOURCE_SUFFIX)
    os.replace(tmp, path)
    _checked.discard(png_path)
    return path


def remove_partial_writes(folders: Iterable[str]) -> List[str]:
    """Delete the temporary files of cache writes a kill interrupted.

    Args:
        folders: Searched recursively.

    Returns:
        The files deleted.
    """
    removed = []
    for folder in folders:
        for pattern in ('*.npy' + PARTIAL_SUFFIX + '.npy',
                        '*.npy' + SOURCE_SUFFIX + PARTIAL_SUFFIX):
            for path in glob.glob(
                    osp.join(glob.escape(folder), '**', pattern),
                    recursive=True):
                os.remove(path)
                removed.append(path)
    return removed


def _stale(png_path: str, path: str, why: str) -> ValueError:
    return ValueError(
        f'{png_path} changed after its decoded cache {path} was built '
        f'({why}): the cache is stale; rebuild it with --overwrite '
        f'({BUILD_HINT})')


def load_cache_file(path: str) -> np.ndarray:
    """Memory-map a cache file; ``ValueError`` naming it when damaged
    (truncated, not an array, an array of Python objects)."""
    try:
        return np.load(path, mmap_mode='r')
    except (ValueError, OSError, EOFError) as err:
        raise ValueError(
            f'decoded cache {path} is damaged ({err}); rebuild it with '
            f'--overwrite ({BUILD_HINT})') from err


def check_cache_file(png_path: str, path: str, array: np.ndarray,
                     channels: int) -> None:
    """Raise ``ValueError`` unless ``array`` (read from the cache file
    ``path``) is what ``png_path`` decodes to: the PNG's size and
    modification time as recorded at build, its shape and dtype."""
    try:
        with open(path + SOURCE_SUFFIX) as f:
            recorded = json.load(f)
    except (OSError, ValueError):
        raise _stale(png_path, path, f'no readable {osp.basename(path)}'
                     f'{SOURCE_SUFFIX} record of it') from None
    if recorded != _source_record(png_path):
        raise _stale(png_path, path,
                     f'size and modification time {recorded} at build, now '
                     f'{_source_record(png_path)}')
    with open(png_path, 'rb') as f:
        header = read_png_header(f.read(26), png_path)
    expected = (header.height, header.width) + (
        (3, ) if channels == 3 else ())
    if array.dtype != np.uint8 or array.shape != expected:
        raise ValueError(
            f'decoded cache {path} holds {array.dtype} {array.shape}, '
            f'but {png_path} is {expected} uint8: the cache is stale; '
            f'rebuild it with --overwrite ({BUILD_HINT})')


class DecodedCache:
    """Reads cache files next to PNGs and checks them against the PNG.

    Args:
        mode: ``'auto'`` uses a cache file where there is one and decodes the
            PNG where not (logged once per loader); ``'require'`` raises
            for a PNG without one; ``'off'`` never reads the cache.
    """

    def __init__(self, mode: str = 'auto') -> None:
        if mode not in CACHE_MODES:
            raise ValueError(
                f'decoded_cache={mode!r}: choose one of {CACHE_MODES}')
        self.mode = mode
        self._told_missing = False

    def read(self, png_path: str, channels: int) -> Optional[np.ndarray]:
        """The cached array of ``png_path``, memory-mapped read-only.

        Args:
            png_path: The PNG file.
            channels: 3 for images (H, W, 3), 1 for label maps (H, W).

        Returns:
            The array, or None when the PNG is to be decoded instead.

        Raises:
            ValueError: The cache file is damaged, or stale (checked the
                first time this process reads it).
        """
        if self.mode == 'off':
            return None
        path = cache_path(png_path)
        if not osp.isfile(path):
            if self.mode == 'require':
                raise FileNotFoundError(
                    f'no decoded cache {path} for {png_path} '
                    f"(decoded_cache='require'); {BUILD_HINT}")
            if not self._told_missing:
                print_log(
                    f'no decoded cache {path}: decoding PNGs; {BUILD_HINT}',
                    logger='current')
                self._told_missing = True
            return None
        array = load_cache_file(path)
        if png_path not in _checked:
            check_cache_file(png_path, path, array, channels)
            _checked.add(png_path)
        return array


def cache_png(png_path: str, channels: int, overwrite: bool = False,
              decoder: str = 'cv2') -> int:
    """Decode ``png_path`` as the stock loader does and cache the array.

    Args:
        png_path: An image (``channels=3``) or label map (``channels=1``).
        channels: 3 for images, 1 for label maps.
        overwrite: Rewrite a cache file that is already valid.
        decoder: See :class:`PNGDecoder`.

    Returns:
        Bytes written; 0 when a valid cache file was kept.
    """
    path = cache_path(png_path)
    if not overwrite and osp.isfile(path):
        try:
            check_cache_file(png_path, path, load_cache_file(path), channels)
            return 0
        except ValueError:  # stale or damaged: rewritten below
            pass
    with open(png_path, 'rb') as f:
        data = f.read()
    png = PNGDecoder(decoder)
    array = png.image(data, png_path) if channels == 3 else png.label(
        data, png_path)
    write_cached(png_path, array)
    return array.nbytes
