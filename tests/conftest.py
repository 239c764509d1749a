import os
import os.path as osp
import socket
import subprocess
import sys

import pytest

import glore_mmseg  # noqa: F401  (compat fixes and registrations first)

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEMO_CONFIG = osp.join(
    REPO, 'configs', 'demo',
    'glore_r18-d8_1xb2-40iter_synthetic-cityscapes-256x512.py')


def run_python(args, cwd=REPO, timeout=600, **kwargs):
    """Run ``python *args`` with the repo importable; return the result."""
    env = dict(os.environ, PYTHONPATH=REPO, PYTHONWARNINGS='ignore')
    env.update(kwargs.pop('env', {}))
    return subprocess.run([sys.executable, *args],
                          cwd=cwd,
                          env=env,
                          capture_output=True,
                          text=True,
                          timeout=timeout,
                          **kwargs)


def free_port():
    """A TCP port nothing listens on now (for torchrun's rendezvous)."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def launcher_env():
    """Environment of ``tools/dist_*.sh`` as users have it without the
    virtual environment on PATH (no ``torchrun`` executable): this Python as
    ``$PYTHON``, a free port."""
    bin_dir = osp.dirname(sys.executable)
    path = os.pathsep.join(
        folder for folder in os.environ.get('PATH', '').split(os.pathsep)
        if osp.abspath(folder) != bin_dir)
    return dict(os.environ, PATH=path, PYTHON=sys.executable,
                PORT=str(free_port()))


def build_classifier(backbone, neck=None, in_channels=2048):
    """An mmpretrain ImageNet classifier on a ``backbone`` config (depth 50
    unless it says otherwise; GAP neck unless ``neck`` is given; 1000-class
    linear head)."""
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import MODELS
    init_default_scope('mmpretrain')
    return MODELS.build(
        dict(
            type='ImageClassifier',
            backbone={'depth': 50, **backbone},
            neck=neck or dict(type='GlobalAveragePooling'),
            head=dict(
                type='LinearClsHead', num_classes=1000,
                in_channels=in_channels)))


@pytest.fixture(scope='session')
def cityscapes_root(tmp_path_factory):
    """A small synthetic Cityscapes (6 train, 2 val, 2 test images)."""
    from glore_mmseg.datasets import make_synthetic_cityscapes
    root = str(tmp_path_factory.mktemp('data') / 'cityscapes')
    make_synthetic_cityscapes(root, {'train': 6, 'val': 2, 'test': 2})
    return root


def label_file(root, split, index):
    """The ``labelTrainIds`` file of the ``index``-th sample (sorted) of a
    synthetic Cityscapes split."""
    import glob
    return sorted(
        glob.glob(
            osp.join(root, 'gtFine', split, '*',
                     '*_gtFine_labelTrainIds.png')))[index]


def image_of(label_path):
    """The image file of a Cityscapes label file."""
    return label_path.replace('/gtFine/', '/leftImg8bit/').replace(
        '_gtFine_labelTrainIds.png', '_leftImg8bit.png')


def put_label_value(path, value, pixels=3):
    """Write ``value`` into the first ``pixels`` pixels of a label PNG."""
    import numpy as np
    from PIL import Image
    label = np.array(Image.open(path))
    label.flat[:pixels] = value
    Image.fromarray(label).save(path)


def save_label_16bit(path, values):
    """Rewrite a label PNG as 16-bit greyscale, its first pixels set to
    ``values`` (for example 3584 and 65280, multiples of 256)."""
    import numpy as np
    from PIL import Image
    label = np.array(Image.open(path)).astype(np.uint16)
    label.flat[:len(values)] = values
    Image.fromarray(label).save(path)


def resize_label(path, size):
    """Resize a label PNG to ``size`` = (width, height), nearest."""
    from PIL import Image
    with Image.open(path) as label:
        label.resize(size, Image.NEAREST).save(path)


def truncate_file(path):
    """Cut a file to half its bytes (an interrupted copy)."""
    with open(path, 'rb') as f:
        data = f.read()
    with open(path, 'wb') as f:
        f.write(data[:len(data) // 2])


@pytest.fixture
def cityscapes_copy(tmp_path, cityscapes_root):
    """A copy of the synthetic Cityscapes that a test may damage."""
    import shutil
    root = str(tmp_path / 'cityscapes')
    shutil.copytree(cityscapes_root, root)
    return root


@pytest.fixture(scope='session')
def demo_run(tmp_path_factory):
    """The README demo, run once: (work_dir, completed process)."""
    work_dir = str(tmp_path_factory.mktemp('demo'))
    result = run_python(['tools/demo.py', '--work-dir', work_dir])
    assert result.returncode == 0, result.stdout[-3000:] + \
        result.stderr[-3000:]
    return work_dir, result


@pytest.fixture(autouse=True)
def isolated_default_scope():
    """A test that sets mmengine's default scope (mmpretrain, mmseg) does
    not change which registry later tests build from."""
    from mmengine.registry import DefaultScope
    saved = dict(DefaultScope._instance_dict)
    yield
    DefaultScope._instance_dict = saved


@pytest.fixture(autouse=True)
def seed_everything():
    """Every test draws the same random numbers, whatever ran before it."""
    import numpy as np
    import torch
    torch.manual_seed(0)
    np.random.seed(0)


@pytest.fixture(scope='session')
def glore_segmentor(tmp_path_factory):
    """The demo segmentor with two GloRe units in the head and one after
    the first block of each of the backbone's last two stages, testing at
    64x128 (the size of :func:`write_test_image`'s images), random
    weights, saved as an mmengine checkpoint whose ``meta.dataset_meta`` is
    Cityscapes' (as a training run writes it): (config path, checkpoint
    path)."""
    import torch
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmseg.datasets import CityscapesDataset
    from mmseg.registry import MODELS
    folder = tmp_path_factory.mktemp('glore_segmentor')
    config = str(folder / 'glore_units_everywhere.py')
    with open(config, 'w') as f:
        f.write(f'_base_ = {DEMO_CONFIG!r}\n'
                'model = dict(\n'
                "    backbone=dict(type='GloReResNetV1c',\n"
                '                  glore_units=(0, 0, (0, ), (0, )),\n'
                '                  glore_normalize=True),\n'
                '    decode_head=dict(num_units=2))\n'
                '# Test at the 64x128 size of the test images (fast).\n'
                'test_pipeline = [\n'
                "    dict(type='LoadImageFromFile'),\n"
                "    dict(type='Resize', scale=(128, 64), keep_ratio=True),\n"
                "    dict(type='LoadAnnotations'),\n"
                "    dict(type='CheckSegMap', num_classes=19),\n"
                "    dict(type='PackSegInputs')]\n"
                'val_dataloader = dict(dataset=dict(pipeline=test_pipeline))\n'
                'test_dataloader = val_dataloader\n')
    init_default_scope('mmseg')
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(config).model)
    model.init_weights()
    checkpoint = str(folder / 'random.pth')
    torch.save(
        dict(
            state_dict=model.state_dict(),
            meta=dict(dataset_meta=dict(CityscapesDataset.METAINFO))),
        checkpoint)
    return config, checkpoint


@pytest.fixture(scope='session')
def glore_classifier(tmp_path_factory):
    """configs/glore_cls' ResNet-50 classifier made small: 8 base channels,
    GloRe units after the first block of Res3 and of Res4, 10 classes,
    mmpretrain's test pipeline shrunk to ResizeEdge 48 + CenterCrop 48,
    random weights saved as a checkpoint: (config path, checkpoint path)."""
    import torch
    from mmengine.config import Config
    from mmpretrain.apis import get_model
    folder = tmp_path_factory.mktemp('glore_classifier')
    config = str(folder / 'glore_resnet50_small.py')
    base = osp.join(REPO, 'configs', 'glore_cls',
                    'glore-res4x3_resnet50_8xb32_in1k.py')
    with open(config, 'w') as f:
        f.write(f'_base_ = {base!r}\n'
                'model = dict(\n'
                '    backbone=dict(stem_channels=8, base_channels=8,\n'
                '                  glore_units=(0, (0, ), (0, ), 0)),\n'
                '    head=dict(num_classes=10, in_channels=256))\n'
                'test_pipeline = [\n'
                "    dict(type='LoadImageFromFile'),\n"
                "    dict(type='ResizeEdge', scale=48, edge='short'),\n"
                "    dict(type='CenterCrop', crop_size=48),\n"
                "    dict(type='PackInputs')]\n"
                'test_dataloader = dict(\n'
                '    dataset=dict(pipeline=test_pipeline))\n')
    torch.manual_seed(0)
    model = get_model(Config.fromfile(config), pretrained=False)
    model.init_weights()
    checkpoint = str(folder / 'random.pth')
    torch.save(dict(state_dict=model.state_dict()), checkpoint)
    return config, checkpoint


def write_test_image(path, height=64, width=128):
    """A small RGB image of coloured bands and noise (not constant)."""
    import mmcv
    import numpy as np
    rng = np.random.default_rng(0)
    image = rng.integers(0, 40, (height, width, 3), dtype=np.uint8)
    image[:height // 2, :, 0] += 200
    image[:, width // 3:, 1] += 150
    mmcv.imwrite(image, str(path))
    return str(path)


def load_tool(name):
    """The command module behind ``tools/<name>.py``, to call its
    ``main(argv)`` in this process (no interpreter start, models stay
    small)."""
    import importlib

    from glore_mmseg.cli import COMMANDS
    command = TOOL_COMMANDS.get(name, name.replace('_', '-'))
    return importlib.import_module(f'glore_mmseg.cli.{COMMANDS[command][0]}')


#: ``tools/<stem>.py`` whose command is not the stem with dashes.
TOOL_COMMANDS = {
    'build_decoded_cache': 'build-cache',
    'convert_official_weights': 'convert'
}


@pytest.fixture(scope='session')
def photo_cityscapes_root(tmp_path_factory):
    """Two 256x128 train images with real-photo texture, Cityscapes layout."""
    from glore_mmseg.datasets import (make_synthetic_cityscapes,
                                      render_photo_image)
    root = str(tmp_path_factory.mktemp('photo') / 'cityscapes')
    make_synthetic_cityscapes(
        root, {'train': 2}, image_size=(256, 128), render=render_photo_image)
    return root


def cityscapes_train_set(root, pipeline=()):
    """mmseg's CityscapesDataset over ``root``'s train split."""
    from mmengine.registry import init_default_scope
    from mmseg.registry import DATASETS
    init_default_scope('mmseg')
    return DATASETS.build(
        dict(
            type='CityscapesDataset',
            data_root=root,
            data_prefix=dict(
                img_path='leftImg8bit/train', seg_map_path='gtFine/train'),
            pipeline=list(pipeline)))


def train_infos(root):
    """The data infos of ``root``'s train split: the dicts a train pipeline
    starts from."""
    dataset = cityscapes_train_set(root)
    return [dataset.get_data_info(i) for i in range(len(dataset))]


def build_transform(cfg):
    """An mmseg transform from its config dict."""
    from mmengine.registry import init_default_scope
    from mmseg.registry import TRANSFORMS
    init_default_scope('mmseg')
    return TRANSFORMS.build(cfg)


@pytest.fixture(scope='session')
def ade20k_root(tmp_path_factory):
    """A small synthetic ADE20K (4 training, 2 validation 128x96 images):
    the ``ADEChallengeData2016`` folder."""
    from glore_mmseg.datasets import make_synthetic_ade20k
    root = str(tmp_path_factory.mktemp('ade') / 'ADEChallengeData2016')
    make_synthetic_ade20k(
        root, {'training': 4, 'validation': 2}, image_size=(128, 96))
    return root


@pytest.fixture(scope='session')
def voc_root(tmp_path_factory):
    """A small synthetic Pascal VOC 2012 + aug (2 train, 2 val, 2 aug
    128x96 images): the ``VOCdevkit/VOC2012`` folder."""
    from glore_mmseg.datasets import make_synthetic_voc
    root = str(tmp_path_factory.mktemp('voc') / 'VOCdevkit' / 'VOC2012')
    make_synthetic_voc(
        root, {'train': 2, 'val': 2, 'aug': 2}, image_size=(128, 96))
    return root


@pytest.fixture(scope='session')
def pascal_context_root(tmp_path_factory):
    """A small synthetic Pascal Context 59 (4 train, 2 val 128x96 images):
    the ``VOCdevkit/VOC2010`` folder."""
    from glore_mmseg.datasets import make_synthetic_pascal_context
    root = str(
        tmp_path_factory.mktemp('context') / 'VOCdevkit' / 'VOC2010')
    make_synthetic_pascal_context(
        root, {'train': 4, 'val': 2}, image_size=(128, 96))
    return root
