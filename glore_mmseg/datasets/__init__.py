from . import transforms  # noqa: F401  (registers)
from .photo_texture import render_photo_image
from .synthetic_cityscapes import make_synthetic_cityscapes
from .synthetic_imagenet import make_synthetic_imagenet
from .transforms import CheckSegMap, SegMapError

__all__ = [
    'CheckSegMap', 'SegMapError', 'make_synthetic_cityscapes',
    'make_synthetic_imagenet', 'render_photo_image'
]
