from .synthetic_cityscapes import make_synthetic_cityscapes
from .synthetic_imagenet import make_synthetic_imagenet

__all__ = ['make_synthetic_cityscapes', 'make_synthetic_imagenet']
