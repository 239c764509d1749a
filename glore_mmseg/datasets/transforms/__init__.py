"""Faster Cityscapes training transforms with the stock ones' outputs and
random draws (registered in mmseg's ``TRANSFORMS``)."""
from .decoded_cache import (DecodedCache, cache_path, cache_png,
                            write_cached)
from .fast_loading import FastLoadAnnotations, FastLoadImageFromFile
from .fast_photo_metric_distortion import FastPhotoMetricDistortion
from .fused_resize_crop import FusedRandomResizeCrop
from .png_decoding import PNGDecoder

__all__ = [
    'DecodedCache', 'FastLoadAnnotations', 'FastLoadImageFromFile',
    'FastPhotoMetricDistortion', 'FusedRandomResizeCrop', 'PNGDecoder',
    'cache_path', 'cache_png', 'write_cached'
]
