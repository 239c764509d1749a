"""Cityscapes-layout images with real-photo texture for the data-pipeline
benchmark."""
import numpy as np
from PIL import Image

from glore_mmseg.datasets import render_photo_image
from glore_mmseg.datasets.photo_texture import bundled_photo
from tests.conftest import train_infos


def test_bundled_photo_is_a_colour_photo():
    photo = bundled_photo()
    assert photo.shape == (600, 512, 3) and photo.dtype == np.uint8
    assert photo.std() > 40  # a photograph, not a flat colour


def test_photo_texture_inside_every_class(photo_cityscapes_root):
    info = train_infos(photo_cityscapes_root)[0]
    image = np.asarray(Image.open(info['img_path']))
    labels = np.asarray(Image.open(info['seg_map_path']))
    assert image.shape == (128, 256, 3)
    for label in np.unique(labels):
        region = image[labels == label].astype(float)
        if len(region) > 500:  # texture, beyond the sensor noise (1.0)
            assert region.std(axis=0).mean() > 8, label
    again = render_photo_image(
        np.zeros((64, 96), np.uint8), np.random.default_rng(5))
    assert np.array_equal(
        again,
        render_photo_image(
            np.zeros((64, 96), np.uint8), np.random.default_rng(5)))
