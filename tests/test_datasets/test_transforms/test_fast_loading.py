"""FastLoadImageFromFile / FastLoadAnnotations give the stock loaders'
arrays, from PNGs and from the decoded cache, and say what is wrong with a
missing or stale cache or a missing decoder."""
import copy
import os
import os.path as osp
import re
import shutil

import numpy as np
import pytest
from PIL import Image

from glore_mmseg.datasets.transforms import (PNGDecoder, cache_path, cache_png,
                                             png_decoding)
from tests.conftest import build_transform, train_infos


@pytest.fixture
def root(tmp_path, photo_cityscapes_root):
    """A private copy: the tests write cache files next to the PNGs."""
    path = str(tmp_path / 'cityscapes')
    shutil.copytree(photo_cityscapes_root, path)
    return path


def load_both(info, image_cfg, annotation_cfg):
    stock = build_transform(dict(type='LoadAnnotations'))(
        build_transform(dict(type='LoadImageFromFile'))(copy.deepcopy(info)))
    fast = build_transform(annotation_cfg)(
        build_transform(image_cfg)(copy.deepcopy(info)))
    return stock, fast


def assert_same_load(stock, fast):
    for key in ('img', 'gt_seg_map'):
        assert fast[key].dtype == stock[key].dtype == np.uint8
        assert np.array_equal(fast[key], stock[key]), key
    for key in ('img_shape', 'ori_shape', 'seg_fields'):
        assert fast[key] == stock[key], key


@pytest.mark.parametrize('mode', ['off', 'auto'])
def test_png_decoding_equals_stock(root, mode):
    for info in train_infos(root):
        assert_same_load(*load_both(
            info, dict(type='FastLoadImageFromFile', decoded_cache=mode),
            dict(type='FastLoadAnnotations', decoded_cache=mode)))


def test_decoded_cache_equals_stock_and_is_memory_mapped(root):
    infos = train_infos(root)
    for info in infos:
        assert cache_png(info['img_path'], 3) > 0
        assert cache_png(info['seg_map_path'], 1) > 0
        assert cache_png(info['img_path'], 3) == 0  # valid: kept
    for info in infos:
        stock, fast = load_both(
            info, dict(type='FastLoadImageFromFile', decoded_cache='require'),
            dict(type='FastLoadAnnotations', decoded_cache='require'))
        assert_same_load(stock, fast)
        assert isinstance(fast['img'], np.memmap)
        assert not fast['img'].flags.writeable


def test_reduce_zero_label_and_label_map_equal_stock(root):
    info = dict(
        train_infos(root)[0], reduce_zero_label=True,
        label_map={0: 7, 7: 1, 254: 3})
    every_value = np.arange(256, dtype=np.uint8).reshape(16, 16)
    Image.fromarray(every_value).save(info['seg_map_path'])
    stock = build_transform(dict(type='LoadAnnotations'))(copy.deepcopy(info))
    cache_png(info['seg_map_path'], 1)
    for mode in ('off', 'require'):
        fast = build_transform(
            dict(type='FastLoadAnnotations', decoded_cache=mode))(
                copy.deepcopy(info))
        assert np.array_equal(fast['gt_seg_map'], stock['gt_seg_map'])
    with pytest.raises(ValueError, match='reduce_zero_label'):
        build_transform(
            dict(type='FastLoadAnnotations', reduce_zero_label=False))(
                copy.deepcopy(info))


def test_missing_and_stale_cache_errors(root):
    info = train_infos(root)[0]
    load = build_transform(
        dict(type='FastLoadImageFromFile', decoded_cache='require'))
    with pytest.raises(FileNotFoundError,
                       match=r'no decoded cache .*build_decoded_cache\.py'):
        load(copy.deepcopy(info))
    np.save(cache_path(info['img_path']), np.zeros((4, 4, 3), np.uint8))
    with pytest.raises(ValueError, match='stale'):
        load(copy.deepcopy(info))
    assert cache_png(info['img_path'], 3) > 0  # a stale file is rewritten
    assert load(copy.deepcopy(info))['img'].shape == (128, 256, 3)
    with pytest.raises(ValueError, match='decoded_cache='):
        build_transform(dict(type='FastLoadImageFromFile', decoded_cache=1))


def test_without_pyspng_auto_falls_back_to_opencv(root, monkeypatch):
    monkeypatch.setattr(png_decoding, '_import_pyspng', lambda: None)
    assert PNGDecoder('auto').name == 'cv2'
    with pytest.raises(ImportError, match=r'glore-mmseg\[fast-png\]'):
        PNGDecoder('pyspng')
    with pytest.raises(ValueError, match='decoder='):
        PNGDecoder('libpng')
    info = train_infos(root)[0]
    assert_same_load(*load_both(
        info, dict(type='FastLoadImageFromFile', decoded_cache='off'),
        dict(type='FastLoadAnnotations', decoded_cache='off')))


def test_pyspng_decodes_like_the_stock_loaders(root):
    pytest.importorskip('pyspng')
    for info in train_infos(root):
        assert_same_load(*load_both(
            info,
            dict(type='FastLoadImageFromFile', decoded_cache='off',
                 decoder='pyspng'),
            dict(type='FastLoadAnnotations', decoded_cache='off',
                 decoder='pyspng')))


def test_not_a_png_is_named(tmp_path):
    path = str(tmp_path / 'x.png')
    with open(path, 'wb') as f:
        f.write(b'JFIF' * 10)
    with pytest.raises(ValueError, match=f'{osp.basename(path)} is not a PNG'):
        PNGDecoder('cv2').image(open(path, 'rb').read(), path)


def test_16bit_label_values_that_do_not_fit_are_refused(tmp_path):
    path = str(tmp_path / 'x_gtFine_labelTrainIds.png')
    label = np.zeros((4, 6), np.uint16)
    label[0, :2] = [3584, 65280]
    Image.fromarray(label).save(path)
    with pytest.raises(ValueError,
                       match=r"label '.*x_gtFine_labelTrainIds.png' stores "
                       r'values \[3584, 65280\] that do not fit'):
        PNGDecoder('cv2').label(open(path, 'rb').read(), path)
    with pytest.raises(ValueError, match='do not fit'):
        cache_png(path, 1)
    label[0, :2] = [7, 255]
    Image.fromarray(label).save(path)
    decoded = PNGDecoder('cv2').label(open(path, 'rb').read(), path)
    assert decoded.dtype == np.uint8 and decoded[0, :3].tolist() == [7, 255,
                                                                     0]


def edit_at_the_same_size(png_path):
    """Change a PNG's pixels, keeping its size (a later mtime, as an edit
    gives even on coarse-grained file systems)."""
    image = np.asarray(Image.open(png_path)).copy()
    image[:8] = 255 - image[:8]
    Image.fromarray(image).save(png_path)
    stat = os.stat(png_path)
    os.utime(png_path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))


@pytest.mark.parametrize('key, channels, cfg', [
    ('img_path', 3, dict(type='FastLoadImageFromFile')),
    ('seg_map_path', 1, dict(type='FastLoadAnnotations')),
])
def test_png_edited_after_the_cache_was_built_is_noticed(root, key, channels,
                                                         cfg):
    info = train_infos(root)[0]
    cache_png(info[key], channels)
    edit_at_the_same_size(info[key])
    load = build_transform(dict(cfg, decoded_cache='auto'))
    with pytest.raises(ValueError,
                       match=f"{re.escape(info[key])} changed after its "
                       'decoded cache .* was built'):
        load(copy.deepcopy(info))
    assert cache_png(info[key], channels) > 0  # rebuilt
    load(copy.deepcopy(info))


def test_damaged_cache_files_are_named(root):
    info = train_infos(root)[0]
    load = build_transform(
        dict(type='FastLoadImageFromFile', decoded_cache='require'))
    path = cache_path(info['img_path'])
    cache_png(info['img_path'], 3)
    with open(path, 'r+b') as f:
        f.truncate(os.path.getsize(path) // 2)
    with pytest.raises(ValueError,
                       match=f'decoded cache {re.escape(path)} is damaged'):
        load(copy.deepcopy(info))
    np.save(path, np.array([{'a': 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError,
                       match=f'decoded cache {re.escape(path)} is damaged'):
        load(copy.deepcopy(info))
    with open(path, 'wb') as f:
        f.write(b'not an array')
    with pytest.raises(ValueError,
                       match=f'decoded cache {re.escape(path)} is damaged'):
        load(copy.deepcopy(info))
    assert cache_png(info['img_path'], 3) > 0  # a damaged file is rewritten
    assert load(copy.deepcopy(info))['img'].shape == (128, 256, 3)
