"""The scene drawing and file writing the synthetic sets share."""
import numpy as np
from PIL import Image

from glore_mmseg.datasets.synthetic_scenes import (class_values, colour_image,
                                                   palette_of,
                                                   random_label_map,
                                                   region_borders, save_label)


def test_label_map_uses_only_the_given_values():
    rng = np.random.default_rng(0)
    seen = set()
    for _ in range(20):
        label = random_label_map(rng, 64, 48, stuff=(3, 4, 5),
                                 things=(7, 8))
        assert label.shape == (48, 64) and label.dtype == np.uint8
        values = set(np.unique(label).tolist())
        assert values <= {3, 4, 5, 7, 8}
        assert len(values & {3, 4, 5}) >= 1
        seen |= values
    assert seen == {3, 4, 5, 7, 8}


def test_image_colours_follow_the_label():
    label = np.zeros((40, 60), np.uint8)
    label[:, 30:] = 2
    palette = palette_of([(200, 10, 10), (0, 0, 0), (10, 10, 200)])
    image = colour_image(label, palette, np.random.default_rng(0))
    assert image.shape == (40, 60, 3) and image.dtype == np.uint8
    left = image[:, :30].reshape(-1, 3).mean(0)
    right = image[:, 30:].reshape(-1, 3).mean(0)
    assert left[0] - left[2] > 150 and right[2] - right[0] > 150


def test_palette_and_class_values_with_reduce_zero_label():
    palette = palette_of([(1, 2, 3), (4, 5, 6)], first_value=1)
    assert palette.shape == (256, 3)
    assert palette[0].tolist() == [0, 0, 0]
    assert palette[2].tolist() == [4, 5, 6]
    assert class_values(('wall', 'sky', 'road'), ['road', 'wall'],
                        first_value=1) == (3, 1)


def test_region_borders_are_where_the_label_changes():
    label = np.zeros((4, 6), np.uint8)
    label[:, 3:] = 1
    border = region_borders(label)
    assert border[:, 2:4].all() and not border[:, [0, 1, 4, 5]].any()
    assert region_borders(label, width=2)[:, 1:5].all()
    assert not region_borders(np.zeros((5, 5), np.uint8)).any()


def test_labels_saved_as_greyscale_or_palette_png(tmp_path):
    label = np.arange(12, dtype=np.uint8).reshape(3, 4)
    label[0, 0] = 255
    colours = np.zeros((256, 3), np.uint8)
    colours[1] = (128, 0, 0)
    save_label(label, str(tmp_path / 'a' / 'grey.png'))
    save_label(label, str(tmp_path / 'b' / 'indexed.png'), palette=colours)
    grey = Image.open(tmp_path / 'a' / 'grey.png')
    indexed = Image.open(tmp_path / 'b' / 'indexed.png')
    assert (grey.mode, indexed.mode) == ('L', 'P')
    assert np.array_equal(np.asarray(grey), label)
    assert np.array_equal(np.asarray(indexed), label)  # indices = labels
    assert indexed.getpalette()[3:6] == [128, 0, 0]
