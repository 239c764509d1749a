"""A segmentation task that only long-range context can solve.

Each image has a coloured cue band at its left edge (red or blue, class
``building`` either way) and one to three identical grey squares near its
right edge. The squares are ``car`` when the band is red and ``truck`` when it
is blue; nothing else tells them apart (same colour, size, noise and
positions for both classes). A model whose receptive field at the squares
does not reach the band can only guess: 50 % on the squares' pixels.

The images are written in the exact Cityscapes layout by
:func:`~glore_mmseg.datasets.make_synthetic_cityscapes` (polygons converted
by cityscapesscripts), and are read by mmseg's ``CityscapesDataset`` with
``metainfo=dict(classes=CONTEXT_CUE_CLASSES)``, which maps the four classes'
trainIds to 0..3.

Geometry of a (width, height) image: the band covers x < ``CUE_FRACTION *
width``; the squares (side ``SQUARE_FRACTION * height``) lie in x >= ``(1 -
OBJECT_ZONE_FRACTION) * width``. At the default 320x64 the band ends at x =
64 and the squares start at x >= 224, 160 pixels away.
"""
import itertools
from typing import Dict, List, Tuple

import numpy as np

from .synthetic_cityscapes import _box, make_synthetic_cityscapes

CONTEXT_CUE_CLASSES = ('road', 'building', 'car', 'truck')
# The classes decided only by the cue.
CUE_DEPENDENT_CLASSES = ('car', 'truck')
CUE_FRACTION = 0.2
OBJECT_ZONE_FRACTION = 0.3
SQUARE_FRACTION = 0.375
DEFAULT_IMAGE_SIZE = (320, 64)

# RGB colour means; every pixel also gets Gaussian noise.
CUE_COLOURS = {'car': (200, 40, 40), 'truck': (40, 40, 200)}
SQUARE_COLOUR = (150, 150, 150)
ROAD_COLOUR = (110, 110, 110)
PIXEL_NOISE = 20.0


def cue_band_width(width: int) -> int:
    """Width in pixels of the cue band of a ``width``-pixel image."""
    return int(round(CUE_FRACTION * width))


def object_zone_start(width: int) -> int:
    """Smallest x of any square in a ``width``-pixel image."""
    return int(round((1 - OBJECT_ZONE_FRACTION) * width))


def context_cue_scene(rng: np.random.Generator, width: int, height: int,
                      label: str) -> List[dict]:
    """Polygons of one image: road, the cue band, then the squares.

    Args:
        rng: Random generator (number and places of squares).
        width: Image width.
        height: Image height.
        label: Class of the squares, one of :data:`CUE_DEPENDENT_CLASSES`.

    Returns:
        Cityscapes polygon objects (``label``, ``polygon``), back to front.
    """
    if label not in CUE_DEPENDENT_CLASSES:
        raise ValueError(f'square class must be one of '
                         f'{CUE_DEPENDENT_CLASSES}, got {label!r}')
    side = int(round(SQUARE_FRACTION * height))
    x_min = object_zone_start(width)
    if side < 1 or x_min + side > width:
        raise ValueError(f'context cue image {width}x{height} is too small '
                         'for its squares')
    objects = [
        dict(label='road', polygon=_box(0, 0, width - 1, height - 1)),
        dict(
            label='building',
            polygon=_box(0, 0, cue_band_width(width) - 1, height - 1)),
    ]
    corners: List[Tuple[int, int]] = []
    for _ in range(int(rng.integers(1, 4))):
        for _ in range(50):  # place without overlap; give up after 50 tries
            x = int(rng.integers(x_min, width - side + 1))
            y = int(rng.integers(0, height - side + 1))
            if all(abs(x - u) >= side or abs(y - v) >= side
                   for u, v in corners):
                corners.append((x, y))
                break
    for x, y in corners:
        objects.append(
            dict(label=label, polygon=_box(x, y, x + side - 1,
                                           y + side - 1)))
    return objects


def render_context_cue(label_ids: np.ndarray,
                       rng: np.random.Generator) -> np.ndarray:
    """RGB image (H, W, 3) uint8 of a context-cue labelIds map.

    The band takes the colour of the squares' class; the squares of both
    classes get the same grey.
    """
    from cityscapesscripts.helpers.labels import name2label
    present = [
        name for name in CUE_DEPENDENT_CLASSES
        if (label_ids == name2label[name].id).any()
    ]
    if len(present) != 1:
        raise ValueError('a context cue image needs squares of exactly one '
                         f'class, found {present}')
    colours: Dict[str, Tuple[int, int, int]] = {
        'road': ROAD_COLOUR,
        'building': CUE_COLOURS[present[0]],
        'car': SQUARE_COLOUR,
        'truck': SQUARE_COLOUR,
    }
    image = np.zeros(label_ids.shape + (3, ), dtype=np.float32)
    for name, colour in colours.items():
        image[label_ids == name2label[name].id] = colour
    image += rng.normal(0.0, PIXEL_NOISE, size=image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


def make_context_cue_cityscapes(
        root: str,
        splits: Dict[str, int] = None,
        image_size: Tuple[int, int] = DEFAULT_IMAGE_SIZE,
        seed: int = 0) -> Dict[str, List[str]]:
    """Write the context-cue task in the Cityscapes folder layout.

    Args:
        root: Data root (the folder holding ``leftImg8bit`` and ``gtFine``).
        splits: Images per split; default ``{'train': 200, 'val': 40}``.
        image_size: (width, height) of every image.
        seed: Random seed; the same seed writes the same files.

    Returns:
        The image stems written, per split.
    """
    splits = {'train': 200, 'val': 40} if splits is None else splits
    # The squares' class alternates from image to image, so both classes
    # have (about) half of the squares of every split: without the cue no
    # model beats about 50 % on them.
    labels = itertools.cycle(CUE_DEPENDENT_CLASSES)

    def scene(rng: np.random.Generator, width: int,
              height: int) -> List[dict]:
        return context_cue_scene(rng, width, height, next(labels))

    return make_synthetic_cityscapes(
        root,
        splits=splits,
        image_size=image_size,
        seed=seed,
        render=render_context_cue,
        scene=scene)
