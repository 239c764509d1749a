"""PNG decoding of Cityscapes images and label maps, pixel-identical to
mmseg's loaders, with the libspng decoder (``pyspng``) when installed.

mmseg's ``LoadImageFromFile`` decodes with OpenCV (BGR) and
``LoadAnnotations`` with Pillow. For the PNG kinds Cityscapes uses, 8-bit RGB
images and 8-bit greyscale label maps, libspng and OpenCV give the same
pixels; any other kind goes through the stock decoder.
"""
import struct
from typing import NamedTuple, Optional

import cv2
import mmcv
import numpy as np
from mmengine.logging import print_log

from .label_values import (SegMapError, beyond_uint8_message,
                           values_beyond_uint8)

PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'
COLOR_TYPE_GREY = 0
COLOR_TYPE_RGB = 2
DECODERS = ('auto', 'pyspng', 'cv2')
_told_fallback = False  # the OpenCV fallback is logged once per process


class PNGHeader(NamedTuple):
    """The IHDR fields that decide how a PNG decodes."""
    width: int
    height: int
    bit_depth: int
    color_type: int


def read_png_header(data: bytes, path: str) -> PNGHeader:
    """Parse the IHDR chunk at the start of a PNG file.

    Args:
        data: The file's first 26 bytes or more.
        path: The file, named in errors.

    Returns:
        The header fields.
    """
    if len(data) < 26 or data[:8] != PNG_SIGNATURE or data[12:16] != b'IHDR':
        raise ValueError(f'{path} is not a PNG file')
    width, height, bit_depth, color_type = struct.unpack('>IIBB', data[16:26])
    return PNGHeader(width, height, bit_depth, color_type)


def _import_pyspng():
    try:
        import pyspng
    except ImportError:
        return None
    return pyspng


class PNGDecoder:
    """Decodes PNG bytes as mmseg's stock loaders do.

    Args:
        decoder: ``'pyspng'`` (libspng; an ImportError names the extra to
            install), ``'cv2'`` (OpenCV, mmseg's image decoder) or
            ``'auto'`` (pyspng when installed, else OpenCV, logged once
            per process).
    """

    def __init__(self, decoder: str = 'auto') -> None:
        if decoder not in DECODERS:
            raise ValueError(
                f'decoder={decoder!r}: choose one of {DECODERS}')
        self.pyspng = None if decoder == 'cv2' else _import_pyspng()
        if decoder == 'pyspng' and self.pyspng is None:
            raise ImportError(
                "decoder='pyspng' needs the pyspng package: "
                'pip install "glore-mmseg[fast-png]" (or decoder=\'auto\', '
                'which falls back to OpenCV)')
        global _told_fallback
        if decoder == 'auto' and self.pyspng is None and not _told_fallback:
            _told_fallback = True
            print_log(
                'pyspng is not installed: decoding PNGs with OpenCV '
                '(pip install "glore-mmseg[fast-png]" for libspng)',
                logger='current')
        self.name = 'cv2' if self.pyspng is None else 'pyspng'

    def _spng(self, data: bytes, header: PNGHeader,
              color_type: int) -> Optional[np.ndarray]:
        if (self.pyspng is None or header.bit_depth != 8
                or header.color_type != color_type):
            return None
        return self.pyspng.load(data)

    def image(self, data: bytes, path: str) -> np.ndarray:
        """Decode a colour image as ``LoadImageFromFile`` does.

        Args:
            data: PNG file contents.
            path: The file, named in errors.

        Returns:
            (H, W, 3) uint8 BGR image.
        """
        header = read_png_header(data, path)
        rgb = self._spng(data, header, COLOR_TYPE_RGB)
        if rgb is not None:
            return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
        img = mmcv.imfrombytes(data, flag='color', backend='cv2')
        if img is None:
            raise ValueError(f'failed to decode image {path}')
        return img

    def label(self, data: bytes, path: str) -> np.ndarray:
        """Decode a label map as ``LoadAnnotations`` does.

        Args:
            data: PNG file contents.
            path: The file, named in errors.

        Returns:
            (H, W) uint8 label map, before ``reduce_zero_label`` and
            ``label_map``.

        Raises:
            SegMapError: A 16-bit PNG stores values beyond 255.
        """
        header = read_png_header(data, path)
        grey = self._spng(data, header, COLOR_TYPE_GREY)
        if grey is None and header.bit_depth == 8 \
                and header.color_type == COLOR_TYPE_GREY:
            grey = cv2.imdecode(
                np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
        if grey is None:
            grey = mmcv.imfrombytes(data, flag='unchanged', backend='pillow')
        if header.bit_depth > 8:
            beyond = values_beyond_uint8(grey)
            if len(beyond):
                raise SegMapError(
                    f'label {path!r} {beyond_uint8_message(beyond)}')
        return grey.squeeze().astype(np.uint8, copy=False)
