"""Per-sample check that a loaded label fits its image and its classes.

A label of another size than its image is otherwise resized to it in
training (same aspect: a silently wrong target) or fails later with a tensor
stacking or mask-shape error that names no file; a label value outside the
classes fails deep inside the loss (``Target 77 is out of bounds``); a
16-bit label PNG is cast to uint8 by mmseg's ``LoadAnnotations``, so a
stored 3584 or 65280 silently becomes class 0. The transform raises at the
sample instead, naming the image and the label file.
"""
import os.path as osp
from typing import Optional, Tuple

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform
from mmengine import fileio
from mmseg.registry import TRANSFORMS

from .label_values import (MAX_LISTED_VALUES, SegMapError,
                           beyond_uint8_message, values_beyond_uint8)
from .png_decoding import PNGHeader, read_png_header


def invalid_label_values(seg_map: np.ndarray, num_classes: int,
                         ignore_index: int) -> np.ndarray:
    """Sorted label values that are neither a class nor the ignore index.

    Args:
        seg_map: Label map (H, W) of integers. uint8 (what
            ``LoadAnnotations`` returns) is checked with one ``max`` when
            clean, else counted with one ``bincount``.
        num_classes: Valid classes are ``0 .. num_classes - 1``.
        ignore_index: The one other allowed value.

    Returns:
        The invalid values present in ``seg_map`` (1-D, sorted, maybe empty).
    """
    if seg_map.dtype == np.uint8:
        if seg_map.max() < num_classes or (
                ignore_index == 255
                and (seg_map + np.uint8(1)).max() <= num_classes):
            # +1 wraps the ignore index 255 to 0: one max proves the label
            # clean (0.1 ms for 2048x1024, a bincount takes 2.7 ms).
            return np.zeros(0, dtype=seg_map.dtype)
        present = np.flatnonzero(np.bincount(seg_map.ravel(), minlength=256))
    else:
        present = np.unique(seg_map)
    bad = present[(present < 0) | (present >= num_classes)]
    return bad[bad != ignore_index]


def stored_values_beyond_uint8(path: str,
                               backend_args: Optional[dict] = None
                               ) -> np.ndarray:
    """The values beyond 0..255 a label PNG of more than 8 bits stores.

    Reads the 26-byte PNG header of a local file; only a PNG of more than
    8 bits per sample is read whole and decoded. Other files (8-bit PNGs,
    other formats) give an empty array.

    Args:
        path: The label file.
        backend_args: mmengine file backend arguments for a remote file.
    """
    if osp.isfile(path):
        with open(path, 'rb') as f:
            data = f.read(26)
    elif '://' in path:
        data = fileio.get(path, backend_args=backend_args)
    else:  # not a file: nothing stored to check
        return np.zeros(0, dtype=np.uint8)
    try:
        header: PNGHeader = read_png_header(data, path)
    except ValueError:
        return np.zeros(0, dtype=np.uint8)
    if header.bit_depth <= 8:
        return np.zeros(0, dtype=np.uint8)
    if len(data) == 26:
        data = fileio.get(path, backend_args=backend_args)
    return values_beyond_uint8(
        mmcv.imfrombytes(data, flag='unchanged', backend='pillow'))


@TRANSFORMS.register_module()
class CheckSegMap(BaseTransform):
    """Raise :class:`SegMapError` when a label does not fit its image.

    Put it right after ``LoadAnnotations``, before any transform that
    resizes the label. The label's size is compared with the image as read
    from its file (``ori_shape``), so in test pipelines, which resize the
    image before loading the label, it also goes right after
    ``LoadAnnotations``. Values are checked as ``LoadAnnotations`` returns
    them (after the dataset's ``reduce_zero_label`` and ``label_map``); the
    message gives the values stored in the file. A label PNG of more than 8
    bits is also checked for stored values beyond 255, which the loaders'
    cast to uint8 would wrap (its 26-byte header is read for every label).

    Required keys: ``gt_seg_map``, ``ori_shape`` (or ``img_shape``),
    ``img_path``, ``seg_map_path``. Modified keys: none.

    Args:
        num_classes: Number of classes of the dataset (labels
            ``0 .. num_classes - 1``).
        ignore_index: The label value of ignored pixels (the loss's
            ``ignore_index``).
        backend_args: mmengine file backend arguments to read the header
            of a label that is not a local file.
    """

    def __init__(self,
                 num_classes: int,
                 ignore_index: int = 255,
                 backend_args: Optional[dict] = None) -> None:
        if not isinstance(num_classes, int) or num_classes < 1:
            raise ValueError('num_classes must be a positive int, got '
                             f'{num_classes!r}')
        self.num_classes = num_classes
        self.ignore_index = ignore_index
        self.backend_args = backend_args

    def find_problem(self, results: dict) -> Optional[Tuple[str, str]]:
        """The first problem of one loaded sample, without raising.

        Args:
            results: The pipeline's dict after ``LoadImageFromFile`` and
                ``LoadAnnotations``.

        Returns:
            ``None``, or ``(kind, message)`` with kind ``'channels'``,
            ``'size'`` or ``'values'``; the message names both files.
        """
        if 'gt_seg_map' not in results:
            raise KeyError('CheckSegMap needs the label: put it right after '
                           'LoadAnnotations in the pipeline')
        seg_map = results['gt_seg_map']
        files = (f"label {results.get('seg_map_path')!r} (image "
                 f"{results.get('img_path')!r})")
        if seg_map.ndim != 2:
            return 'channels', (f'{files} is not a single-channel label '
                                f'map: shape {seg_map.shape}')
        image_shape = results.get('ori_shape', results.get('img_shape'))
        if image_shape is None:
            raise KeyError('CheckSegMap needs the image: put it after '
                           'LoadImageFromFile in the pipeline')
        image_shape = tuple(image_shape[:2])
        if seg_map.shape != image_shape:
            return 'size', (f'{files}: the label is {_size(seg_map.shape)} '
                            f'but the image is {_size(image_shape)} '
                            '(width x height); a label must have its '
                            "image's size")
        if isinstance(results.get('seg_map_path'), str):
            beyond = stored_values_beyond_uint8(results['seg_map_path'],
                                                self.backend_args)
            if len(beyond):
                return 'values', f'{files} {beyond_uint8_message(beyond)}'
        bad = invalid_label_values(seg_map, self.num_classes,
                                   self.ignore_index)
        if len(bad):
            return 'values', f'{files} has {self._describe(bad, results)}'
        return None

    def transform(self, results: dict) -> dict:
        if 'gt_seg_map' not in results and results.get(
                'seg_map_path') is None:
            # An image without a label (mmseg's inference_model drops
            # LoadAnnotations, not this check): nothing to check.
            return results
        problem = self.find_problem(results)
        if problem is not None:
            raise SegMapError(problem[1])
        return results

    def _describe(self, bad: np.ndarray, results: dict) -> str:
        stored = [int(v) for v in bad[:MAX_LISTED_VALUES]]
        mapping = ''
        if results.get('reduce_zero_label'):
            # LoadAnnotations maps a stored v >= 1 to v - 1 (and 0 to 255).
            stored = [v + 1 for v in stored]
            mapping = ' (reduce_zero_label: class = value - 1)'
        elif results.get('label_map'):
            mapping = " (after the dataset's label_map)"
        more = f' and {len(bad) - len(stored)} more' \
            if len(bad) > len(stored) else ''
        return (f'label values {stored}{more}{mapping} that are neither a '
                f'class (0..{self.num_classes - 1}) nor the ignore index '
                f'{self.ignore_index}')

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_classes={self.num_classes}, '
                f'ignore_index={self.ignore_index})')


def _size(shape: Tuple[int, ...]) -> str:
    return f'{shape[1]}x{shape[0]}'
