"""Synthetic Cityscapes images with real-photo texture.

Flat class colours plus noise (:func:`render_image`) compress and decode
unlike real street photos, so they mislead a data-pipeline benchmark. This
renderer fills every class region with pieces of a real photograph (the
portrait bundled with matplotlib, which mmseg already depends on), tinted
towards the class's Cityscapes colour: edges, gradients and fine texture as
in a camera image, and a PNG about as large as a real Cityscapes one.
"""
from functools import lru_cache

import cv2
import numpy as np

from .synthetic_cityscapes import render_image


@lru_cache(maxsize=1)
def bundled_photo() -> np.ndarray:
    """The colour photo shipped with matplotlib, (600, 512, 3) RGB uint8.

    Returns:
        The photo as an RGB uint8 array.
    """
    from matplotlib import cbook
    from PIL import Image
    with cbook.get_sample_data('grace_hopper.jpg') as f:
        photo = np.asarray(Image.open(f).convert('RGB'))
    photo.setflags(write=False)
    return photo


def photo_mosaic(rng: np.random.Generator, width: int, height: int,
                 tile: int = 384) -> np.ndarray:
    """Tiles of randomly scaled, flipped crops of :func:`bundled_photo`.

    Args:
        rng: Random generator.
        width: Mosaic width.
        height: Mosaic height.
        tile: Tile edge in pixels.

    Returns:
        (height, width, 3) RGB uint8 mosaic.
    """
    photo = bundled_photo()
    mosaic = np.empty((height, width, 3), np.uint8)
    for y in range(0, height, tile):
        for x in range(0, width, tile):
            zoom = rng.uniform(1.0, 2.0)
            size = min(int(tile / zoom), *photo.shape[:2])
            top = rng.integers(0, photo.shape[0] - size + 1)
            left = rng.integers(0, photo.shape[1] - size + 1)
            piece = photo[top:top + size, left:left + size]
            if rng.random() < 0.5:
                piece = piece[:, ::-1]
            piece = cv2.resize(
                np.ascontiguousarray(piece), (tile, tile),
                interpolation=cv2.INTER_LINEAR)
            h, w = min(tile, height - y), min(tile, width - x)
            mosaic[y:y + h, x:x + w] = piece[:h, :w]
    return mosaic


def render_photo_image(label_ids: np.ndarray,
                       rng: np.random.Generator,
                       tint: float = 0.45,
                       noise: float = 1.0) -> np.ndarray:
    """RGB image of a label map: photo texture tinted by class colour.

    A drop-in for :func:`render_image` (pass it as ``render`` to
    :func:`make_synthetic_cityscapes`).

    Args:
        label_ids: (H, W) Cityscapes labelIds.
        rng: Random generator.
        tint: Weight of the class colour against the photo, in [0, 1].
        noise: Standard deviation of added sensor noise (grey levels).

    Returns:
        (H, W, 3) RGB uint8 image.
    """
    height, width = label_ids.shape
    texture = photo_mosaic(rng, width, height).astype(np.float32)
    colours = render_image(label_ids, rng, noise=0.0).astype(np.float32)
    image = (1.0 - tint) * texture + tint * colours
    image += rng.normal(0.0, noise, size=image.shape).astype(np.float32)
    return np.clip(image, 0, 255).astype(np.uint8)
