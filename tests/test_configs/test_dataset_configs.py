"""The GloRe configs for ADE20K, Pascal VOC 2012 + aug and Pascal Context 59:
mmseg's recipes for these sets, checked labels, and a short real run on each
set's synthetic copy, read by mmseg's own dataset class."""
import math
import os
import os.path as osp
import shutil

import mmseg
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from mmseg.registry import MODELS
from PIL import Image

from tests.conftest import REPO, load_tool, put_label_value
from tests.test_configs.test_configs import without_scope

MMSEG_CONFIGS = osp.join(osp.dirname(mmseg.__file__), '.mim', 'configs')
GLORE = osp.join(REPO, 'configs', 'glore')
NAMES = [
    f'glore_{depth}-d8_4xb4-{setting}.py' for depth in ('r50', 'r101')
    for setting in ('80k_ade20k-512x512', '160k_ade20k-512x512',
                    '20k_voc12aug-512x512', '40k_voc12aug-512x512',
                    '40k_pascal-context-59-480x480',
                    '80k_pascal-context-59-480x480')
]
DATASETS = {
    'ade20k': ('ADE20KDataset', 150),
    'voc12aug': ('PascalVOCDataset', 21),
    'pascal-context-59': ('PascalContextDataset59', 59),
}
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def data_set_of(name):
    return next(key for key in DATASETS if f'_{key}-' in name)


def reference_config(name):
    """mmseg's config of the same recipe: NonLocal's for ADE20K and VOC,
    PSPNet's for Pascal Context 59 (NonLocal and DANet have none)."""
    if data_set_of(name) == 'pascal-context-59':
        folder, model = 'pspnet', 'pspnet'
    else:
        folder, model = 'nonlocal_net', 'nonlocal'
    return Config.fromfile(
        osp.join(MMSEG_CONFIGS, folder, name.replace('glore', model, 1)))


def datasets_of(loader):
    """The dataset configs of a dataloader (both parts of a concat)."""
    dataset = loader['dataset']
    return list(dataset['datasets']) if 'datasets' in dataset else [dataset]


def is_label_check(step):
    """A ``CheckSegMap`` step, or a TTA stage holding only that."""
    if isinstance(step, list):
        return len(step) == 1 and is_label_check(step[0])
    return isinstance(step, dict) and step.get('type') == 'CheckSegMap'


def without_label_check(cfg):
    """``cfg`` with every :func:`is_label_check` step removed."""
    if isinstance(cfg, dict):
        return {k: without_label_check(v) for k, v in cfg.items()}
    if isinstance(cfg, (list, tuple)):
        return type(cfg)(
            without_label_check(v) for v in cfg if not is_label_check(v))
    return cfg


def test_config_set():
    for name in NAMES:
        assert osp.isfile(osp.join(GLORE, name)), name


@pytest.mark.parametrize('name', NAMES)
def test_recipe_is_mmseg_s(name):
    cfg = Config.fromfile(osp.join(GLORE, name))
    ref = reference_config(name)
    ours, theirs = without_scope(cfg.to_dict()), ref.to_dict()
    for key in ('crop_size', 'optim_wrapper', 'param_scheduler', 'train_cfg',
                'val_cfg', 'test_cfg', 'val_evaluator', 'test_evaluator'):
        assert ours[key] == theirs[key], key
    for key in (*LOADERS, 'tta_pipeline'):
        assert without_label_check(ours[key]) == theirs[key], key
    for key in ('data_preprocessor', 'test_cfg'):
        assert ours['model'][key] == theirs['model'][key], key
    dataset_type, num_classes = DATASETS[data_set_of(name)]
    assert datasets_of(ours['train_dataloader'])[0]['type'] == dataset_type
    for head in ('decode_head', 'auxiliary_head'):
        assert ours['model'][head]['num_classes'] == num_classes
    backbone = ours['model']['backbone']
    assert backbone['depth'] == theirs['model']['backbone']['depth']
    assert backbone['multi_grid'] == (4, 8, 16)  # GloRe's model base
    assert ours['model']['pretrained'] == (
        f"checkpoints/resnet{backbone['depth']}_v1c-"
        f"{'2cccc1ad' if backbone['depth'] == 50 else 'e67eebb6'}.pth")
    assert ours['train_dataloader']['batch_size'] == 4  # x 4 GPUs
    if data_set_of(name) == 'pascal-context-59':
        assert ours['model']['test_cfg'] == dict(
            mode='slide', crop_size=(480, 480), stride=(320, 320))
        assert ours['optim_wrapper']['optimizer']['lr'] == 0.004


@pytest.mark.parametrize('name', NAMES)
def test_config_builds_a_glore_model(name):
    cfg = Config.fromfile(osp.join(GLORE, name))
    init_default_scope(cfg.default_scope)
    model = MODELS.build(cfg.model)
    _, num_classes = DATASETS[data_set_of(name)]
    assert type(model.decode_head).__name__ == 'GloReHead'
    assert model.decode_head.conv_seg.out_channels == num_classes
    assert model.auxiliary_head.conv_seg.out_channels == num_classes
    assert len(model.backbone.layer3) == (23 if 'r101' in name else 6)


@pytest.mark.parametrize('name', NAMES)
def test_labels_are_checked_right_after_loading(name):
    cfg = Config.fromfile(osp.join(GLORE, name))
    _, num_classes = DATASETS[data_set_of(name)]
    for loader in LOADERS:
        for dataset in datasets_of(cfg[loader]):
            types = [step.type for step in dataset.pipeline]
            at = types.index('LoadAnnotations')
            assert types[at + 1] == 'CheckSegMap', (loader, types)
            check = dataset.pipeline[at + 1]
            assert (check.num_classes, check.ignore_index) == (num_classes,
                                                               255)
            if loader == 'train_dataloader':  # before the label is resized
                assert 'Resize' not in ''.join(types[:at + 1])
    views = [step[0].type for step in cfg.tta_pipeline[1].transforms]
    assert views[views.index('LoadAnnotations') + 1] == 'CheckSegMap'


#: Config keys holding image sizes (resize scales, crops, padding, the
#: preprocessor's batch size and the sliding window).
SIZE_KEYS = ('scale', 'crop_size', 'size', 'stride')


def scaled_down(cfg, factor):
    """``cfg`` with every (width, height)-like size of :data:`SIZE_KEYS`
    divided by ``factor``."""
    if isinstance(cfg, dict):
        return type(cfg)({
            k: tuple(n // factor for n in v) if k in SIZE_KEYS
            and isinstance(v, (list, tuple)) else scaled_down(v, factor)
            for k, v in cfg.items()
        })
    if isinstance(cfg, (list, tuple)):
        return type(cfg)(scaled_down(v, factor) for v in cfg)
    return cfg


def on_synthetic_data(name, root, work_dir):
    """The config of ``name`` on the synthetic set in ``root``: a tiny
    ResNet-18-D8 (16 base channels, from scratch), every image size an
    eighth (512x512 crops: 64x64), two images a batch, data loaded in
    this process, 2 iterations, then validation."""
    cfg = Config.fromfile(osp.join(GLORE, name))
    cfg = Config(scaled_down(cfg.to_dict(), 8))
    cfg.model.pretrained = None
    cfg.model.backbone.update(depth=18, stem_channels=16, base_channels=16)
    cfg.model.decode_head.update(
        in_channels=128, channels=32, num_state=16, num_node=8)
    cfg.model.auxiliary_head.update(in_channels=64, channels=16)
    for loader in LOADERS:
        cfg[loader].update(num_workers=0, persistent_workers=False)
        for dataset in datasets_of(cfg[loader]):
            dataset.data_root = root
    cfg.train_dataloader.batch_size = 2
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=2,
                         val_interval=2)
    cfg.default_hooks.checkpoint.save_last = False  # tested elsewhere
    cfg.work_dir = work_dir
    return cfg


SHORT_RUNS = [
    ('glore_r50-d8_4xb4-80k_ade20k-512x512.py', 'ade20k_root', 4, 2),
    ('glore_r50-d8_4xb4-20k_voc12aug-512x512.py', 'voc_root', 4, 2),
    ('glore_r50-d8_4xb4-40k_pascal-context-59-480x480.py',
     'pascal_context_root', 4, 2),
]


@pytest.mark.parametrize('name,root,num_train,num_val', SHORT_RUNS)
def test_trains_and_validates_on_the_synthetic_set(name, root, num_train,
                                                   num_val, request,
                                                   tmp_path):
    cfg = on_synthetic_data(name,
                            request.getfixturevalue(root), str(tmp_path))
    runner = Runner.from_cfg(cfg)
    dataset_type, num_classes = DATASETS[data_set_of(name)]
    val_set = runner.val_dataloader.dataset
    assert type(val_set).__name__ == dataset_type  # mmseg's own class
    assert len(val_set) == num_val
    assert len(runner.train_dataloader.dataset) == num_train
    runner.train()
    assert runner.iter == 2
    loss = runner.message_hub.get_scalar('train/loss').current()
    assert math.isfinite(loss) and loss > 0
    # validated after the last iteration
    metrics = {
        key: runner.message_hub.get_scalar(f'val/{key}').current()
        for key in ('aAcc', 'mIoU', 'mAcc')
    }
    assert all(0 <= value <= 100 for value in metrics.values()), metrics
    assert len(runner.val_evaluator.dataset_meta['classes']) == num_classes


CHECKS = [
    # config, data root fixture, the damaged label (its folder, the image
    # set listing it or None for all files), a bad stored value, the key of
    # the dataset that reads it
    ('glore_r50-d8_4xb4-80k_ade20k-512x512.py', 'ade20k_root',
     ('annotations/training', None), 200, 'train_dataloader.dataset'),
    ('glore_r50-d8_4xb4-20k_voc12aug-512x512.py', 'voc_root',
     ('SegmentationClassAug', 'ImageSets/Segmentation/aug.txt'), 77,
     'train_dataloader.dataset.datasets[1]'),
    ('glore_r50-d8_4xb4-40k_pascal-context-59-480x480.py',
     'pascal_context_root', ('SegmentationClassContext',
                             'ImageSets/SegmentationContext/train.txt'), 60,
     'train_dataloader.dataset'),
]


def second_label(data_root, folder, image_set):
    """The label file of the second image of a folder or image set."""
    if image_set is None:
        names = sorted(name[:-4] for name in os.listdir(
            osp.join(data_root, folder)))
    else:
        with open(osp.join(data_root, image_set)) as f:
            names = f.read().split()
    return osp.join(data_root, folder, f'{names[1]}.png')


@pytest.mark.parametrize('name,root,labels,bad_value,key', CHECKS)
def test_check_dataset_tool_on_the_synthetic_set(name, root, labels,
                                                 bad_value, key, request,
                                                 tmp_path, capsys):
    data_root = str(tmp_path / 'data')
    shutil.copytree(request.getfixturevalue(root), data_root)
    config = str(tmp_path / 'config.py')
    with open(config, 'w') as f:
        f.write(f'_base_ = {osp.join(GLORE, name)!r}\n')
    options = ['--cfg-options'] + [
        f'{loader}.dataset.data_root={data_root}'
        for loader in ('val_dataloader', 'test_dataloader')
    ]
    if 'voc' in name:
        options += [
            f'train_dataloader.dataset.datasets.{i}.data_root={data_root}'
            for i in (0, 1)
        ]
    else:
        options.append(f'train_dataloader.dataset.data_root={data_root}')
    check_dataset = load_tool('check_dataset')
    assert check_dataset.main([config, *options]) == 0  # clean
    out = capsys.readouterr().out
    assert f'{key}: ' in out and 'problem ' not in out
    assert out.count('samples checked, no problems') == (2 if 'voc' in name
                                                         else 1)

    label = second_label(data_root, *labels)
    put_label_value(label, bad_value)
    assert check_dataset.main([config, *options]) == 1
    out = capsys.readouterr().out
    report = out[out.index(f'{key}: '):].splitlines()
    assert report[0].endswith('samples checked, 1 problem')
    assert report[1] == '  values: 1'
    assert report[2].startswith(f"    label '{label}' (image")
    assert f'label values [{bad_value}]' in report[2]
    stored = np.asarray(Image.open(label))
    assert (stored == bad_value).sum() == 3


@pytest.mark.parametrize('name,root', [run[:2] for run in SHORT_RUNS])
def test_tta_pipeline_reads_a_synthetic_sample(name, root, request):
    """``tools/test.py --tta config``: the config's own TTA views (6 scales
    x 2 flips), each with its checked label."""
    from mmseg.registry import DATASETS as SEG_DATASETS
    cfg = Config.fromfile(osp.join(GLORE, name))
    dataset = cfg.test_dataloader.dataset
    dataset.update(
        data_root=request.getfixturevalue(root), pipeline=cfg.tta_pipeline)
    init_default_scope('mmseg')
    sample = SEG_DATASETS.build(dataset)[0]
    assert len(sample['inputs']) == len(sample['data_samples']) == 12
    _, num_classes = DATASETS[data_set_of(name)]
    labels = np.unique(sample['data_samples'][0].gt_sem_seg.data.numpy())
    assert set(labels.tolist()) <= set(range(num_classes)) | {255}
