"""CheckSegMap: a label that does not fit its image or its classes stops
the pipeline at the sample, naming both files."""
import re

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import DATASETS

from glore_mmseg.datasets.transforms import (CheckSegMap, SegMapError,
                                             invalid_label_values)
from tests.conftest import (DEMO_CONFIG, image_of, label_file, put_label_value,
                            resize_label, save_label_16bit)


def demo_dataset(root, loader):
    """The demo config's real CityscapesDataset and pipeline on ``root``."""
    cfg = Config.fromfile(DEMO_CONFIG)
    init_default_scope('mmseg')
    return DATASETS.build(dict(cfg[loader].dataset, data_root=root))


def sample(seg_map, ori_shape=None, **extra):
    return dict(
        gt_seg_map=seg_map,
        ori_shape=ori_shape or seg_map.shape,
        img_path='img.png',
        seg_map_path='seg.png',
        **extra)


def test_invalid_values_counted_on_uint8_and_other_dtypes():
    seg = np.array([[0, 18, 255], [19, 77, 77]], dtype=np.uint8)
    assert invalid_label_values(seg, 19, 255).tolist() == [19, 77]
    assert invalid_label_values(seg.astype(np.int64) - 1, 19,
                                255).tolist() == [-1, 76, 254]
    assert invalid_label_values(seg, 256, 255).tolist() == []
    assert invalid_label_values(seg, 19, 77).tolist() == [19, 255]
    clean = np.array([[0, 18, 255]], dtype=np.uint8)
    assert invalid_label_values(clean, 19, 255).tolist() == []
    assert invalid_label_values(clean, 19, 0).tolist() == [255]
    clean[0, 1] = 254
    assert invalid_label_values(clean, 19, 255).tolist() == [254]


def test_a_clean_sample_passes_unchanged():
    seg = np.random.randint(0, 19, (4, 6)).astype(np.uint8)
    seg[0, 0] = 255
    results = sample(seg)
    assert CheckSegMap(19)(results) is results


def test_bad_values_are_listed_first_few_with_both_files():
    seg = np.zeros((4, 8), dtype=np.uint8)
    seg.flat[:8] = [20, 21, 22, 23, 24, 25, 26, 77]
    with pytest.raises(SegMapError) as error:
        CheckSegMap(19)(sample(seg))
    assert str(error.value) == (
        "label 'seg.png' (image 'img.png') has label values "
        '[20, 21, 22, 23, 24] and 3 more that are neither a class (0..18) '
        'nor the ignore index 255')


def test_reduce_zero_label_reports_the_stored_values():
    # LoadAnnotations has already mapped stored 0 -> 255 and v -> v - 1.
    seg = np.array([[255, 0, 150]], dtype=np.uint8)
    with pytest.raises(SegMapError,
                       match=re.escape('label values [151] (reduce_zero_'
                                       'label: class = value - 1)')):
        CheckSegMap(150)(sample(seg, reduce_zero_label=True))


def test_wrong_size_and_channels_name_both_sizes():
    with pytest.raises(SegMapError,
                       match=re.escape("label 'seg.png' (image 'img.png'): "
                                       'the label is 6x4 but the image is '
                                       '8x4 (width x height)')):
        CheckSegMap(19)(sample(np.zeros((4, 6), np.uint8), (4, 8, 3)))
    with pytest.raises(SegMapError, match='not a single-channel label map'):
        CheckSegMap(19)(sample(np.zeros((4, 8, 3), np.uint8)))


def test_an_image_without_label_passes():
    # mmseg's inference_model drops LoadAnnotations but keeps this check
    image_only = dict(img_path='a.png', ori_shape=(4, 8))
    assert CheckSegMap(19)(dict(image_only)) == image_only


def test_misuse_is_refused():
    with pytest.raises(ValueError, match='positive int, got 0'):
        CheckSegMap(0)
    with pytest.raises(KeyError, match='right after LoadAnnotations'):
        CheckSegMap(19)(dict(ori_shape=(4, 8), seg_map_path='a.png'))
    with pytest.raises(KeyError, match='after LoadImageFromFile'):
        CheckSegMap(19)(dict(gt_seg_map=np.zeros((4, 8), np.uint8)))


def test_out_of_range_label_in_the_real_train_pipeline(cityscapes_copy):
    label = label_file(cityscapes_copy, 'train', 2)
    put_label_value(label, 77)
    dataset = demo_dataset(cityscapes_copy, 'train_dataloader')
    index = [
        dataset.get_data_info(i)['seg_map_path'] for i in range(len(dataset))
    ].index(label)
    dataset[index - 1]  # its neighbours are fine
    with pytest.raises(SegMapError) as error:
        dataset[index]
    message = str(error.value)
    assert f"label '{label}' (image '{image_of(label)}')" in message
    assert 'label values [77] that are neither a class (0..18)' in message


@pytest.mark.parametrize('loader', ['train_dataloader', 'val_dataloader'])
@pytest.mark.parametrize('size', [(256, 128), (512, 200)],
                         ids=['same-aspect', 'other-aspect'])
def test_label_of_another_size_in_the_real_pipelines(cityscapes_copy, loader,
                                                     size):
    split = 'train' if loader == 'train_dataloader' else 'val'
    label = label_file(cityscapes_copy, split, 0)
    resize_label(label, size)
    dataset = demo_dataset(cityscapes_copy, loader)
    with pytest.raises(SegMapError) as error:
        dataset[0]
    assert str(error.value) == (
        f"label '{label}' (image '{image_of(label)}'): the label is "
        f'{size[0]}x{size[1]} but the image is 512x256 (width x height); '
        "a label must have its image's size")


@pytest.mark.parametrize('loader', ['train_dataloader', 'val_dataloader'])
@pytest.mark.parametrize('values', [[3584, 65280], [300]])
def test_16bit_label_values_that_do_not_fit_are_refused(
        cityscapes_copy, loader, values):
    # mmseg's LoadAnnotations (val) and FastLoadAnnotations (train) cast
    # to uint8: 3584 and 65280 would load as class 0 (road), 300 as 44.
    label = label_file(cityscapes_copy, loader[:-len('_dataloader')], 1)
    save_label_16bit(label, values)
    dataset = demo_dataset(cityscapes_copy, loader)
    index = [
        dataset.get_data_info(i)['seg_map_path'] for i in range(len(dataset))
    ].index(label)
    with pytest.raises(SegMapError) as error:
        dataset[index]
    message = str(error.value)
    assert message.startswith(f"label '{label}'")
    assert f'stores values {sorted(values)} that do not fit the uint8 ' \
        'label map' in message


def test_16bit_label_with_values_that_fit_passes(cityscapes_copy):
    label = label_file(cityscapes_copy, 'train', 1)
    save_label_16bit(label, [18, 255])
    dataset = demo_dataset(cityscapes_copy, 'train_dataloader')
    dataset[[dataset.get_data_info(i)['seg_map_path']
             for i in range(len(dataset))].index(label)]
