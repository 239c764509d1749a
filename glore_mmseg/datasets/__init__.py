from . import transforms  # noqa: F401  (registers)
from .context_cue import (CONTEXT_CUE_CLASSES, CUE_DEPENDENT_CLASSES,
                          make_context_cue_cityscapes)
from .photo_texture import render_photo_image
from .synthetic_ade20k import make_synthetic_ade20k
from .synthetic_cityscapes import make_synthetic_cityscapes
from .synthetic_cub import make_synthetic_cub
from .synthetic_imagenet import make_synthetic_imagenet
from .synthetic_pascal_context import make_synthetic_pascal_context
from .synthetic_voc import make_synthetic_voc
from .transforms import CheckSegMap, SegMapError

__all__ = [
    'CONTEXT_CUE_CLASSES', 'CUE_DEPENDENT_CLASSES', 'CheckSegMap',
    'SegMapError', 'make_context_cue_cityscapes', 'make_synthetic_ade20k',
    'make_synthetic_cityscapes', 'make_synthetic_cub',
    'make_synthetic_imagenet', 'make_synthetic_pascal_context',
    'make_synthetic_voc', 'render_photo_image'
]
