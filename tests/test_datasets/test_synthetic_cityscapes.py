import glob
import io
import os
import os.path as osp
import shutil

import numpy as np
from cityscapesscripts.helpers.labels import id2label
from PIL import Image

from tests.conftest import cityscapes_train_set


def test_layout_and_names(cityscapes_root):
    images = sorted(
        glob.glob(osp.join(cityscapes_root, 'leftImg8bit', '*', '*', '*')))
    assert len(images) == 10
    for img in images:
        split, city, name = img.split(osp.sep)[-3:]
        assert name.startswith(city + '_')
        assert name.endswith('_leftImg8bit.png')
        stem = name[:-len('_leftImg8bit.png')]
        assert len(stem.split('_')) == 3
        gt = osp.join(cityscapes_root, 'gtFine', split, city, stem)
        suffixes = ('labelIds', 'labelTrainIds', 'instanceIds', 'color')
        for suffix in suffixes:
            assert osp.isfile(f'{gt}_gtFine_{suffix}.png') == (split != 'test')
        assert Image.open(img).size == (512, 256)


def test_label_encodings_agree(cityscapes_root):
    gt = glob.glob(
        osp.join(cityscapes_root, 'gtFine', 'train', '*',
                 '*_gtFine_labelIds.png'))[0]
    ids = np.asarray(Image.open(gt))
    train_ids = np.asarray(Image.open(gt.replace('labelIds', 'labelTrainIds')))
    inst = np.asarray(Image.open(gt.replace('labelIds', 'instanceIds')))
    lut = np.full(256, 255, dtype=np.uint8)
    for label_id, label in id2label.items():
        if 0 <= label_id < 256:
            lut[label_id] = label.trainId if label.trainId >= 0 else 255
    assert np.array_equal(lut[ids], train_ids)
    # instance ids: labelId * 1000 + k for things, the labelId for stuff
    assert inst.dtype == np.uint16
    things = inst >= 1000
    assert things.any()
    assert np.array_equal(inst[things] // 1000, ids[things])
    assert np.array_equal(inst[~things], ids[~things])
    assert set(np.unique(ids[things])) <= {24, 26}  # person, car


def test_mmseg_cityscapes_dataset_reads_it(cityscapes_root):
    dataset = cityscapes_train_set(cityscapes_root, [
        dict(type='LoadImageFromFile'),
        dict(type='LoadAnnotations'),
        dict(type='PackSegInputs')
    ])
    assert len(dataset) == 6
    sample = dataset[0]['data_samples']
    labels = set(np.unique(sample.gt_sem_seg.data.numpy()))
    assert labels <= {0, 1, 2, 8, 10, 11, 13, 255}
    assert len(labels) >= 5


def test_same_seed_same_files(tmp_path):
    from glore_mmseg.datasets import make_synthetic_cityscapes
    a = make_synthetic_cityscapes(str(tmp_path / 'a'), {'val': 1}, seed=3)
    b = make_synthetic_cityscapes(str(tmp_path / 'b'), {'val': 1}, seed=3)
    assert a == b
    for path in glob.glob(str(tmp_path / 'a' / '**' / '*.png'),
                          recursive=True):
        other = path.replace(osp.join(str(tmp_path), 'a'),
                             osp.join(str(tmp_path), 'b'))
        assert open(path, 'rb').read() == open(other, 'rb').read()


def test_mmseg_converter_prepares_it_as_the_readme_says(tmp_path,
                                                        cityscapes_root):
    import mmseg

    from tests.conftest import run_python
    root = str(tmp_path / 'cs')
    shutil.copytree(cityscapes_root, root)
    made = sorted(glob.glob(osp.join(root, 'gtFine', '*', '*',
                                     '*_labelTrainIds.png')))
    expected = {path: open(path, 'rb').read() for path in made}
    assert len(expected) == 8  # 6 train + 2 val
    for path in made:
        os.remove(path)
    converter = osp.join(
        osp.dirname(mmseg.__file__), '.mim', 'tools', 'dataset_converters',
        'cityscapes.py')
    result = run_python([converter, root, '--nproc', '1'])
    assert result.returncode == 0, result.stderr[-2000:]
    for path, content in expected.items():
        assert np.array_equal(
            np.asarray(Image.open(path)),
            np.asarray(Image.open(io.BytesIO(content))))
    with open(osp.join(root, 'val.txt')) as f:
        assert len(f.read().split()) == 2
