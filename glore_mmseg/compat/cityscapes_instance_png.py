"""Fix: cityscapesscripts' ``json2instanceImg`` under Pillow >= 13.

The converter draws instance ids into a 32-bit ``'I'`` image and saves it
as is; Pillow < 13 wrote that as a 16-bit PNG, Pillow >= 13 refuses
(``OSError: cannot write mode I as PNG``). The fix saves the same ids as
the 16-bit PNG the Cityscapes data set stores (ids up to 33999 fit); every
other output format is saved as before.
"""
import os.path as osp
from importlib import metadata
from typing import Optional

import numpy as np
import PIL
from mmengine.utils import digit_version
from PIL import Image

NAME = 'cityscapes_instance_png'

#: The first Pillow release that refuses to save mode 'I' as PNG.
FIRST_REFUSING_PILLOW = '13.0.0'

#: The newest cityscapesscripts release known to save mode 'I' PNGs.
LAST_AFFECTED_CITYSCAPESSCRIPTS = '2.3.0'


def needed() -> Optional[str]:
    """Why the fix is needed here, or None (older Pillow, no or a newer
    cityscapesscripts)."""
    if digit_version(PIL.__version__) < digit_version(FIRST_REFUSING_PILLOW):
        return None
    try:
        version = metadata.version('cityscapesScripts')
    except metadata.PackageNotFoundError:
        return None
    if digit_version(version) > digit_version(
            LAST_AFFECTED_CITYSCAPESSCRIPTS):
        return None
    return (f'Pillow {PIL.__version__} cannot save the mode I instance PNGs '
            f'of cityscapesscripts {version} json2instanceImg')


def save_instance_image(image: Image.Image, path: str) -> None:
    """Save a converter's instance image; a mode 'I' PNG as 16 bits.

    Args:
        image: What ``createInstanceImage`` drew.
        path: The output file.

    Raises:
        ValueError: An id does not fit 16 bits (naming ``path``).
    """
    if image.mode != 'I' or osp.splitext(path)[1].lower() != '.png':
        image.save(path)
        return
    ids = np.asarray(image)
    if ids.size and (ids.min() < 0 or ids.max() > np.iinfo(np.uint16).max):
        raise ValueError(
            f'instance ids {int(ids.min())}..{int(ids.max())} of {path!r} do '
            'not fit a 16-bit PNG')
    Image.fromarray(ids.astype(np.uint16)).save(path)


def install() -> None:
    """Replace ``json2instanceImg`` in its module (its ``main`` and later
    ``from ... import json2instanceImg`` get this one)."""
    from cityscapesscripts.helpers.annotation import Annotation
    from cityscapesscripts.preparation import json2instanceImg as converter
    create = converter.createInstanceImage

    def json2instanceImg(inJson: str,
                         outImg: str,
                         encoding: str = 'ids') -> None:
        """cityscapesscripts' converter, saving a 16-bit PNG."""
        annotation = Annotation()
        annotation.fromJsonFile(inJson)
        save_instance_image(create(annotation, encoding), outImg)

    converter.json2instanceImg = json2instanceImg
