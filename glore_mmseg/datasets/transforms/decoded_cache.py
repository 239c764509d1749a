"""A pre-decoded copy of PNG images and label maps, memory-mapped.

Each ``<name>.png`` gets a sibling ``<name>.npy`` holding the array the
stock loader would decode (BGR uint8 image, uint8 label map). Loading it is
an ``mmap``: no decoding, and a crop reads only the rows it covers. The data
set still lists the PNGs, so the cache can be added or deleted at any time;
``tools/build_decoded_cache.py`` writes it.
"""
import os
import os.path as osp
from typing import Optional

import numpy as np
from mmengine.logging import print_log

from .png_decoding import PNGDecoder, read_png_header

CACHE_MODES = ('auto', 'require', 'off')
BUILD_HINT = 'build it with: python tools/build_decoded_cache.py DATA_ROOT'


def cache_path(png_path: str) -> str:
    """The cache file of a PNG: the same path with ``.npy`` for ``.png``."""
    return osp.splitext(png_path)[0] + '.npy'


def write_cached(png_path: str, array: np.ndarray) -> str:
    """Store ``array`` as the cache file of ``png_path``, atomically.

    Args:
        png_path: The PNG the array was decoded from.
        array: Decoded pixels, (H, W, 3) or (H, W) uint8.

    Returns:
        The cache file written.
    """
    path = cache_path(png_path)
    tmp = path + '.tmp.npy'
    np.save(tmp, np.ascontiguousarray(array))
    os.replace(tmp, path)
    return path


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
        array = np.load(path, mmap_mode='r')
        with open(png_path, 'rb') as f:
            header = read_png_header(f.read(26), png_path)
        expected = (header.height, header.width) + (
            (3, ) if channels == 3 else ())
        if array.dtype != np.uint8 or array.shape != expected:
            raise ValueError(
                f'decoded cache {path} holds {array.dtype} {array.shape}, '
                f'but {png_path} is {expected} uint8: the cache is stale; '
                f'rebuild it with --overwrite ({BUILD_HINT})')
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
    if not overwrite and osp.isfile(cache_path(png_path)):
        try:
            DecodedCache('require').read(png_path, channels)
            return 0
        except ValueError:  # stale: rewritten below
            pass
    with open(png_path, 'rb') as f:
        data = f.read()
    png = PNGDecoder(decoder)
    array = png.image(data, png_path) if channels == 3 else png.label(
        data, png_path)
    write_cached(png_path, array)
    return array.nbytes
