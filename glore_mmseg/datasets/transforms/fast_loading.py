"""Image and label loaders that read a pre-decoded cache or decode PNGs
faster, giving the arrays mmseg's ``LoadImageFromFile`` and
``LoadAnnotations`` give."""
from typing import Optional

import numpy as np
from mmcv.transforms import BaseTransform
from mmengine import fileio
from mmseg.datasets.transforms import LoadAnnotations
from mmseg.registry import TRANSFORMS

from .decoded_cache import DecodedCache
from .png_decoding import PNGDecoder


@TRANSFORMS.register_module()
class FastLoadImageFromFile(BaseTransform):
    """``LoadImageFromFile`` (BGR uint8) from the decoded cache or a PNG.

    From the cache the image is a read-only memory map: later transforms
    read only the pixels they use (:class:`FusedRandomResizeCrop` reads its
    crop window).

    Args:
        decoded_cache: ``'auto'``, ``'require'`` or ``'off'``
            (see :class:`DecodedCache`).
        decoder: PNG decoder, ``'auto'``, ``'pyspng'`` or ``'cv2'``
            (see :class:`PNGDecoder`).
        to_float32: Return a float32 copy, as the stock option.
        backend_args: mmengine file backend arguments for the PNG.
    """

    def __init__(self,
                 decoded_cache: str = 'auto',
                 decoder: str = 'auto',
                 to_float32: bool = False,
                 backend_args: Optional[dict] = None) -> None:
        self.cache = DecodedCache(decoded_cache)
        self.decoder = PNGDecoder(decoder)
        self.to_float32 = to_float32
        self.backend_args = backend_args

    def transform(self, results: dict) -> dict:
        """Add ``img`` (H, W, 3), ``img_shape`` and ``ori_shape``."""
        path = results['img_path']
        img = self.cache.read(path, channels=3)
        if img is None:
            img = self.decoder.image(
                fileio.get(path, backend_args=self.backend_args), path)
        if self.to_float32:
            img = img.astype(np.float32)
        results['img'] = img
        results['img_shape'] = img.shape[:2]
        results['ori_shape'] = img.shape[:2]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(decoded_cache='
                f"'{self.cache.mode}', decoder='{self.decoder.name}', "
                f'to_float32={self.to_float32})')


@TRANSFORMS.register_module()
class FastLoadAnnotations(LoadAnnotations):
    """mmseg's ``LoadAnnotations`` from the decoded cache or a PNG.

    ``reduce_zero_label`` and the data set's ``label_map`` give the stock
    values, applied as one 256-entry lookup table.

    Args:
        reduce_zero_label: As mmseg's ``LoadAnnotations``.
        decoded_cache: ``'auto'``, ``'require'`` or ``'off'``
            (see :class:`DecodedCache`).
        decoder: PNG decoder, ``'auto'``, ``'pyspng'`` or ``'cv2'``
            (see :class:`PNGDecoder`).
        backend_args: mmengine file backend arguments for the PNG.
    """

    def __init__(self,
                 reduce_zero_label: Optional[bool] = None,
                 decoded_cache: str = 'auto',
                 decoder: str = 'auto',
                 backend_args: Optional[dict] = None) -> None:
        super().__init__(
            reduce_zero_label=reduce_zero_label, backend_args=backend_args)
        self.cache = DecodedCache(decoded_cache)
        self.decoder = PNGDecoder(decoder)

    def _label_table(self, results: dict) -> Optional[np.ndarray]:
        """Lookup table of ``reduce_zero_label`` then ``label_map``, or None
        when both leave the labels as they are."""
        if self.reduce_zero_label is None:
            self.reduce_zero_label = results['reduce_zero_label']
        if self.reduce_zero_label != results['reduce_zero_label']:
            raise ValueError(
                'the dataset has reduce_zero_label='
                f"{results['reduce_zero_label']} but {type(self).__name__} "
                f'has reduce_zero_label={self.reduce_zero_label}')
        label_map = results.get('label_map') or {}
        if not self.reduce_zero_label and not label_map:
            return None
        table = np.arange(256, dtype=np.uint8)
        if self.reduce_zero_label:
            # 0 (background) and 255 (ignore) become 255, the rest shift down
            table = table - np.uint8(1)
            table[[0, 255]] = 255
        mapped = table.copy()
        for old_id, new_id in label_map.items():
            mapped[table == old_id] = new_id
        return mapped

    def _load_seg_map(self, results: dict) -> None:
        path = results['seg_map_path']
        seg = self.cache.read(path, channels=1)
        if seg is None:
            seg = self.decoder.label(
                fileio.get(path, backend_args=self.backend_args), path)
        table = self._label_table(results)
        if table is not None:
            seg = table[seg]
        results['gt_seg_map'] = seg
        results['seg_fields'].append('gt_seg_map')

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(reduce_zero_label='
                f"{self.reduce_zero_label}, decoded_cache='{self.cache.mode}'"
                f", decoder='{self.decoder.name}')")
