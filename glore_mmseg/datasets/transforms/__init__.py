"""Data transforms registered in mmseg's ``TRANSFORMS``: the label check
and faster Cityscapes training transforms with the stock ones' outputs and
random draws."""
from .check_seg_map import CheckSegMap, SegMapError, invalid_label_values
from .decoded_cache import (DecodedCache, cache_path, cache_png,
                            remove_partial_writes, write_cached)
from .fast_loading import FastLoadAnnotations, FastLoadImageFromFile
from .fast_photo_metric_distortion import FastPhotoMetricDistortion
from .fused_resize_crop import FusedRandomResizeCrop
from .png_decoding import PNGDecoder

__all__ = [
    'CheckSegMap', 'DecodedCache', 'FastLoadAnnotations',
    'FastLoadImageFromFile', 'FastPhotoMetricDistortion',
    'FusedRandomResizeCrop', 'PNGDecoder', 'SegMapError', 'cache_path',
    'cache_png', 'invalid_label_values', 'remove_partial_writes',
    'write_cached'
]
