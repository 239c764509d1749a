"""Random label maps and their images, for synthetic segmentation sets.

The writers of ADE20K, Pascal VOC and Pascal Context (and the Cityscapes
renderer) share these: a scene is a few horizontal bands of "stuff" classes
with boxes and ellipses of "thing" classes on top; the image is each pixel's
class colour plus a per-image brightness shift and pixel noise, so a model
can learn the task in a few iterations. Label maps hold the values the data
set stores in its files (before ``reduce_zero_label``).
"""
import os
import os.path as osp
from typing import Dict, Iterable, Optional, Sequence, Tuple

import numpy as np
from PIL import Image


def checked_splits(splits: Optional[Dict[str, int]], default: Dict[str, int],
                   data_set: str) -> Dict[str, int]:
    """The images per split to write: ``splits``, or ``default`` if None.

    Raises:
        ValueError: ``splits`` names a split ``default`` does not have.
    """
    if splits is None:
        return dict(default)
    unknown = sorted(set(splits) - set(default))
    if unknown:
        raise ValueError(f'{data_set} splits are {list(default)}, got '
                         f'{unknown}')
    return splits


def colour_image(label: np.ndarray, palette: np.ndarray,
                 rng: np.random.Generator,
                 noise: float = 20.0) -> np.ndarray:
    """RGB image whose pixels are their label's colour plus noise.

    Args:
        label: (H, W) integer label map, values indexing ``palette``.
        palette: (256, 3) colour of every label value.
        rng: Random generator (one brightness shift, then pixel noise).
        noise: Standard deviation of the pixel noise (grey levels).

    Returns:
        (H, W, 3) RGB uint8 image.
    """
    image = palette[label] + rng.uniform(-30, 30)
    image += rng.normal(0.0, noise, size=image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


def palette_of(colours: Sequence[Sequence[int]],
               first_value: int = 0) -> np.ndarray:
    """A (256, 3) float32 palette: ``colours[i]`` for value
    ``first_value + i``, black elsewhere.

    Args:
        colours: RGB colours, e.g. a dataset's ``METAINFO['palette']``.
        first_value: The label value stored for the first colour (1 for
            sets read with ``reduce_zero_label``).
    """
    palette = np.zeros((256, 3), dtype=np.float32)
    palette[first_value:first_value + len(colours)] = colours
    return palette


def random_label_map(rng: np.random.Generator,
                     width: int,
                     height: int,
                     stuff: Sequence[int],
                     things: Sequence[int],
                     num_things: Tuple[int, int] = (1, 4)) -> np.ndarray:
    """A scene: two or three horizontal bands, then boxes and ellipses.

    Args:
        rng: Random generator.
        width: Map width.
        height: Map height.
        stuff: Label values the bands are drawn from.
        things: Label values the objects are drawn from.
        num_things: Smallest and largest number of objects.

    Returns:
        (height, width) uint8 label map.
    """
    label = np.empty((height, width), dtype=np.uint8)
    num_bands = min(len(stuff), int(rng.integers(2, 4)))
    values = rng.choice(np.asarray(stuff), size=num_bands, replace=False)
    edges = np.sort(rng.uniform(0.2, 0.8, size=num_bands - 1)) * height
    edges = [0, *edges.astype(int), height]
    for value, top, bottom in zip(values, edges[:-1], edges[1:]):
        label[top:bottom] = value
    rows, cols = np.mgrid[:height, :width]
    for _ in range(int(rng.integers(num_things[0], num_things[1] + 1))):
        w = rng.uniform(0.15, 0.4) * width
        h = rng.uniform(0.15, 0.4) * height
        x = rng.uniform(0, width - w)
        y = rng.uniform(0, height - h)
        value = rng.choice(np.asarray(things))
        if rng.random() < 0.5:  # a box
            label[int(y):int(y + h), int(x):int(x + w)] = value
        else:  # an ellipse inside the same box
            inside = (((cols - x - w / 2) / (w / 2))**2 +
                      ((rows - y - h / 2) / (h / 2))**2) <= 1
            label[inside] = value
    return label


def class_values(classes: Sequence[str], names: Iterable[str],
                 first_value: int = 0) -> Tuple[int, ...]:
    """The stored label values of the classes ``names``.

    Args:
        classes: The data set's class names (``METAINFO['classes']``).
        names: Names to look up.
        first_value: The value stored for ``classes[0]`` (1 for sets read
            with ``reduce_zero_label``).
    """
    return tuple(first_value + classes.index(name) for name in names)


def random_sample(rng: np.random.Generator, image_size: Tuple[int, int],
                  stuff: Sequence[int], things: Sequence[int],
                  palette: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """A :func:`random_label_map` and its :func:`colour_image`.

    Args:
        rng: Random generator.
        image_size: (width, height).
        stuff: Label values of the bands.
        things: Label values of the objects.
        palette: (256, 3) colour of every label value.

    Returns:
        ``(label, image)``: (H, W) uint8 and (H, W, 3) RGB uint8.
    """
    label = random_label_map(rng, *image_size, stuff=stuff, things=things)
    return label, colour_image(label, palette, rng)


def region_borders(label: np.ndarray, width: int = 1) -> np.ndarray:
    """Pixels within ``width`` of another region (where a label changes).

    Args:
        label: (H, W) label map.
        width: Border half-width in pixels.

    Returns:
        (H, W) bool mask.
    """
    border = np.zeros(label.shape, dtype=bool)
    for shift in range(1, width + 1):
        vertical = label[shift:] != label[:-shift]
        horizontal = label[:, shift:] != label[:, :-shift]
        border[shift:] |= vertical
        border[:-shift] |= vertical
        border[:, shift:] |= horizontal
        border[:, :-shift] |= horizontal
    return border


def save_jpeg(image: np.ndarray, path: str) -> None:
    """Save an RGB uint8 image as a JPEG (quality 95), making its folder."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    Image.fromarray(image).save(path, quality=95)


def save_label(label: np.ndarray, path: str,
               palette: np.ndarray = None) -> None:
    """Save a uint8 label map as a PNG, making its folder.

    Args:
        label: (H, W) uint8 label values.
        path: Output ``.png`` path.
        palette: Optional (256, 3) colours: the PNG is then a palette
            ('P') image whose indices are the labels (as Pascal VOC's
            ``SegmentationClass``), else a greyscale ('L') one.
    """
    os.makedirs(osp.dirname(path), exist_ok=True)
    label = np.ascontiguousarray(label, dtype=np.uint8)
    if palette is None:
        image = Image.fromarray(label)
    else:
        height, width = label.shape
        image = Image.frombytes('P', (width, height), label.tobytes())
        image.putpalette(np.asarray(palette, np.uint8).ravel().tolist())
    image.save(path)


def write_name_list(path: str, names: Iterable[str]) -> None:
    """Write one name a line (an image set file), making its folder."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.writelines(f'{name}\n' for name in names)
