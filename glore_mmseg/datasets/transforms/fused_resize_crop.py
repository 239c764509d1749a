"""``RandomResize`` + ``RandomCrop`` in one step that resizes only the crop
window."""
from typing import List, Optional, Sequence, Tuple, Union

import cv2
import mmcv
import numpy as np
from mmcv.transforms import RandomResize
from mmseg.registry import TRANSFORMS

CropBox = Tuple[int, int, int, int]  # y1, y2, x1, x2 in the resized image


def nearest_indices(start: int, stop: int, src_len: int,
                    dst_len: int) -> np.ndarray:
    """Source rows (or columns) of OpenCV's nearest-neighbour resize.

    ``cv2.resize(..., INTER_NEAREST)`` from ``src_len`` to ``dst_len``
    reads source index ``floor(i / (dst_len / src_len))`` for output ``i``
    (the same float64 arithmetic), clipped to the source.

    Args:
        start: First output index.
        stop: One past the last output index.
        src_len: Source length.
        dst_len: Output length of the whole resize.

    Returns:
        (stop - start, ) int64 source indices.
    """
    inverse = 1.0 / (dst_len / src_len)
    index = np.floor(np.arange(start, stop) * inverse).astype(np.int64)
    return np.minimum(index, src_len - 1)


def bilinear_window(img: np.ndarray, size: Tuple[int, int],
                    box: CropBox) -> np.ndarray:
    """``cv2.resize(img, size, INTER_LINEAR)[y1:y2, x1:x2]``, computing
    only the window.

    Output pixel ``(x, y)`` samples the source at ``(x + 0.5) * w / new_w -
    0.5`` (OpenCV's resize mapping) with edge replication, through
    ``cv2.warpAffine`` on the source region the window covers. warpAffine
    quantises the sample position to 1/32 pixel where resize uses 1/2048,
    so pixels can differ by a few grey levels at sharp edges.

    Args:
        img: (H, W, C) or (H, W) source image; may be a memory map.
        size: (new_w, new_h) of the full resize.
        box: (y1, y2, x1, x2) window in the resized image.

    Returns:
        (y2 - y1, x2 - x1[, C]) array of the source dtype.
    """
    h, w = img.shape[:2]
    new_w, new_h = size
    y1, y2, x1, x2 = box
    sx, sy = w / new_w, h / new_h
    # source region the window's samples touch, +1 pixel for interpolation
    left = max(int(np.floor(sx * (x1 + 0.5) - 0.5)), 0)
    right = min(int(np.floor(sx * (x2 - 0.5) - 0.5)) + 2, w)
    top = max(int(np.floor(sy * (y1 + 0.5) - 0.5)), 0)
    bottom = min(int(np.floor(sy * (y2 - 0.5) - 0.5)) + 2, h)
    region = img[top:bottom, left:right]
    matrix = np.array([[sx, 0.0, sx * (x1 + 0.5) - 0.5 - left],
                       [0.0, sy, sy * (y1 + 0.5) - 0.5 - top]])
    return cv2.warpAffine(
        np.asarray(region),
        matrix, (x2 - x1, y2 - y1),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE)


def nearest_window(seg: np.ndarray, size: Tuple[int, int],
                   box: CropBox) -> np.ndarray:
    """``cv2.resize(seg, size, INTER_NEAREST)[y1:y2, x1:x2]``, exactly,
    computing only the window.

    Args:
        seg: (H, W) label map; may be a memory map.
        size: (new_w, new_h) of the full resize.
        box: (y1, y2, x1, x2) window in the resized map.

    Returns:
        (y2 - y1, x2 - x1) label window.
    """
    h, w = seg.shape[:2]
    new_w, new_h = size
    y1, y2, x1, x2 = box
    rows = nearest_indices(y1, y2, h, new_h)
    cols = nearest_indices(x1, x2, w, new_w)
    return np.take(seg[rows[0]:rows[-1] + 1], rows - rows[0],
                   axis=0)[:, cols]


def class_counts(labels: np.ndarray) -> np.ndarray:
    """Pixels per label value, index = value.

    ``cv2.calcHist`` counts a uint8 map about 15x faster than
    ``np.bincount`` (which first widens it to int64) and 200x faster than
    ``np.unique``; its float32 counts are exact below 2**24 pixels.

    Args:
        labels: Label map of non-negative integers.

    Returns:
        (max(256, labels.max() + 1), ) counts.
    """
    if labels.dtype == np.uint8 and labels.size < 2**24:
        hist = cv2.calcHist([np.ascontiguousarray(labels)], [0], None, [256],
                            [0, 256])
        return hist.ravel().astype(np.int64)
    return np.bincount(labels.ravel(), minlength=256)


@TRANSFORMS.register_module()
class FusedRandomResizeCrop(RandomResize):
    """mmseg's ``RandomResize`` then ``RandomCrop`` (with ``cat_max_ratio``)
    without resizing the whole image.

    The random draws are the stock ones in the stock order (scale ratio,
    then crop offsets, retried up to 10 times while one class covers
    ``cat_max_ratio`` or more of the crop), so under the same seed the
    scale, crop box and label crop are identical to the stock pair's; the
    image crop equals it within bilinear rounding (see
    :func:`bilinear_window`). Class counts use :func:`class_counts`.

    Args:
        scale: As ``RandomResize``: base (w, h) scale, or two (w, h) bounds.
        ratio_range: As ``RandomResize``: (min, max) ratio of ``scale``.
        crop_size: (h, w) of the crop, as ``RandomCrop``.
        cat_max_ratio: As ``RandomCrop``: the largest share one class may
            take of the crop (1 disables the retries).
        ignore_index: Label not counted by ``cat_max_ratio``.
        keep_ratio: As ``Resize``.
    """

    def __init__(self,
                 scale: Union[Tuple[int, int], Sequence[Tuple[int, int]]],
                 crop_size: Union[int, Tuple[int, int]],
                 ratio_range: Tuple[float, float] = None,
                 cat_max_ratio: float = 1.0,
                 ignore_index: int = 255,
                 keep_ratio: bool = True) -> None:
        super().__init__(
            scale=scale, ratio_range=ratio_range, keep_ratio=keep_ratio)
        if isinstance(crop_size, int):
            crop_size = (crop_size, crop_size)
        if len(crop_size) != 2 or min(crop_size) <= 0:
            raise ValueError(
                f'crop_size={crop_size}: expected (h, w) > 0 or an int')
        self.crop_size = tuple(crop_size)
        self.cat_max_ratio = cat_max_ratio
        self.ignore_index = ignore_index
        self.keep_ratio = keep_ratio

    def _resized_size(self, w: int, h: int,
                      scale: Tuple[int, int]) -> Tuple[int, int]:
        if self.keep_ratio:
            return mmcv.rescale_size((w, h), scale)
        return tuple(scale)

    def _random_box(self, new_h: int, new_w: int) -> CropBox:
        offset_h = np.random.randint(0, max(new_h - self.crop_size[0], 0) + 1)
        offset_w = np.random.randint(0, max(new_w - self.crop_size[1], 0) + 1)
        return (offset_h, min(offset_h + self.crop_size[0], new_h), offset_w,
                min(offset_w + self.crop_size[1], new_w))

    def _one_class_dominates(self, labels: np.ndarray) -> bool:
        counts = class_counts(labels)
        if 0 <= self.ignore_index < len(counts):
            counts[self.ignore_index] = 0
        present = np.count_nonzero(counts)
        return not (present > 1
                    and counts.max() / counts.sum() < self.cat_max_ratio)

    def _crop_box(
            self, seg: np.ndarray, size: Tuple[int, int]
    ) -> Tuple[CropBox, Optional[np.ndarray]]:
        """The crop box, and the label window of it when the
        ``cat_max_ratio`` check already cut that window (else None)."""
        new_w, new_h = size
        box = self._random_box(new_h, new_w)
        if self.cat_max_ratio < 1.0:
            for _ in range(10):
                window = nearest_window(seg, size, box)
                if not self._one_class_dominates(window):
                    return box, window
                box = self._random_box(new_h, new_w)
        return box, None

    def transform(self, results: dict) -> dict:
        """Resize-and-crop ``img`` and every map in ``seg_fields``.

        Sets ``scale``, ``scale_factor``, ``keep_ratio`` and ``img_shape``
        as the stock pair does.
        """
        img = results['img']
        h, w = img.shape[:2]
        seg_fields: List[str] = results.get('seg_fields', [])
        results['scale'] = self._random_scale()
        size = self._resized_size(w, h, results['scale'])
        if self.cat_max_ratio < 1.0 and 'gt_seg_map' not in seg_fields:
            raise KeyError(
                'FusedRandomResizeCrop with cat_max_ratio < 1 needs '
                "'gt_seg_map': load annotations before it")
        box, label_window = self._crop_box(results.get('gt_seg_map'), size)
        results['img'] = bilinear_window(img, size, box)
        for key in seg_fields:
            if key == 'gt_seg_map' and label_window is not None:
                results[key] = label_window  # cut by the check already
            else:
                results[key] = nearest_window(results[key], size, box)
        results['img_shape'] = results['img'].shape[:2]
        results['scale_factor'] = (size[0] / w, size[1] / h)
        results['keep_ratio'] = self.keep_ratio
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(scale={self.scale}, '
                f'ratio_range={self.ratio_range}, '
                f'crop_size={self.crop_size}, '
                f'cat_max_ratio={self.cat_max_ratio}, '
                f'keep_ratio={self.keep_ratio})')
