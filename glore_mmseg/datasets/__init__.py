from . import transforms  # noqa: F401  (registers)
from .context_cue import (CONTEXT_CUE_CLASSES, CUE_DEPENDENT_CLASSES,
                          make_context_cue_cityscapes)
from .photo_texture import render_photo_image
from .synthetic_cityscapes import make_synthetic_cityscapes
from .synthetic_cub import make_synthetic_cub
from .synthetic_imagenet import make_synthetic_imagenet
from .transforms import CheckSegMap, SegMapError

__all__ = [
    'CONTEXT_CUE_CLASSES', 'CUE_DEPENDENT_CLASSES', 'CheckSegMap',
    'SegMapError', 'make_context_cue_cityscapes', 'make_synthetic_cityscapes',
    'make_synthetic_cub', 'make_synthetic_imagenet', 'render_photo_image'
]
