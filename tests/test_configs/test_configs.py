"""Every config builds, and the GloRe Cityscapes configs hold the paper's
settings on top of mmseg's stock files."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS

from tests.conftest import REPO

CONFIGS = sorted(
    glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True))
CLS_DIRS = ('glore_cls', 'gsopnet', '3gnet')  # mmpretrain: test_cls_configs
# test_benchmarking/test_context.py
OTHER_DIRS = CLS_DIRS + ('context_benchmark', )
# ADE20K, VOC and Pascal Context: test_dataset_configs
CONFIGS = [
    c for c in CONFIGS if '_base_' not in c
    and osp.basename(osp.dirname(c)) not in OTHER_DIRS
    and 'cityscapes' in osp.basename(c)
]
CITYSCAPES = [
    c for c in CONFIGS if '4xb2' in c and 'fcn' not in osp.basename(c)
]


def without_scope(cfg):
    """``cfg`` without the ``_scope_`` keys an ``mmseg::`` base adds."""
    if isinstance(cfg, dict):
        return {k: without_scope(v) for k, v in cfg.items() if k != '_scope_'}
    if isinstance(cfg, (list, tuple)):
        return type(cfg)(without_scope(v) for v in cfg)
    return cfg


FAST_TRAIN_PIPELINE = [
    'FastLoadImageFromFile', 'FastLoadAnnotations', 'CheckSegMap',
    'FusedRandomResizeCrop', 'RandomFlip', 'FastPhotoMetricDistortion',
    'PackSegInputs'
]


def load(path):
    return Config.fromfile(path)


def test_config_set():
    names = {osp.basename(c) for c in CONFIGS}
    for depth in ('r50', 'r101'):
        for units in ('glore', 'glore-2u'):
            for sched in ('40k', '80k'):
                assert (f'{units}_{depth}-d8_4xb2-{sched}_cityscapes-512x1024'
                        '.py') in names
    assert 'glore_r50-d8_4xb2-amp-bf16-80k_cityscapes-512x1024.py' in names
    assert 'glore_r50_cityscapes.py' in names


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_config_builds_model(path):
    cfg = load(path)
    init_default_scope(cfg.default_scope)
    model = MODELS.build(cfg.model)
    assert cfg.custom_imports['imports'] == ['glore_mmseg']
    pipeline = [t.type for t in cfg.train_dataloader.dataset.pipeline]
    assert pipeline == FAST_TRAIN_PIPELINE  # every config is Cityscapes
    if 'fcn' in osp.basename(path):  # GloRe units in the backbone
        assert type(model.backbone).__name__ == 'GloReResNetV1c'
        assert list(model.backbone.glore_units) == [
            'layer3_0', 'layer3_2', 'layer3_4'
        ]
    else:
        assert type(model.decode_head).__name__ == 'GloReHead'


@pytest.mark.parametrize('path', CITYSCAPES, ids=osp.basename)
def test_cityscapes_settings(path):
    cfg = load(path)
    name = osp.basename(path)
    model = cfg.model
    backbone = model.backbone
    assert backbone.type == 'ResNetV1c'
    assert backbone.depth == (101 if 'r101' in name else 50)
    assert backbone.dilations == (1, 1, 2, 4)
    assert backbone.strides == (1, 2, 1, 1)
    assert backbone.multi_grid == (4, 8, 16)
    assert model.decode_head.num_units == (2 if 'glore-2u' in name else 1)
    assert model.decode_head.normalize is True
    assert model.decode_head.norm_cfg.type == 'SyncBN'
    assert model.auxiliary_head.loss_decode.loss_weight == 0.4
    assert model.pretrained.startswith('checkpoints/')  # local, no URL
    assert model.data_preprocessor.size == (512, 1024)
    assert cfg.crop_size == (512, 1024)
    assert cfg.optim_wrapper.optimizer.type == 'SGD'
    assert cfg.optim_wrapper.optimizer.lr == 0.01
    scheduler = cfg.param_scheduler[0]
    assert (scheduler.type, scheduler.power) == ('PolyLR', 0.9)
    iters = 40000 if '40k' in name else 80000
    assert cfg.train_cfg.max_iters == iters and scheduler.end == iters
    assert cfg.train_dataloader.dataset.type == 'CityscapesDataset'
    wrapper = cfg.optim_wrapper.type
    if 'fast' in name:  # bf16 autocast without a GradScaler
        assert wrapper == 'BF16OptimWrapper'
    elif 'amp-bf16' in name:
        assert wrapper == 'AmpOptimWrapper'
        assert cfg.optim_wrapper.dtype == 'bfloat16'
    else:
        assert wrapper == 'OptimWrapper'


def test_entry_point_is_r50_one_unit_80k():
    cfg = load(osp.join(REPO, 'configs', 'glore_r50_cityscapes.py'))
    ref = load(
        osp.join(REPO, 'configs', 'glore',
                 'glore_r50-d8_4xb2-80k_cityscapes-512x1024.py'))
    assert cfg.model.to_dict() == ref.model.to_dict()
    assert cfg.train_cfg.max_iters == 80000


def test_multi_grid_dilations_in_the_built_backbone():
    cfg = load(osp.join(REPO, 'configs', 'glore_r50_cityscapes.py'))
    init_default_scope('mmseg')
    model = MODELS.build(cfg.model)
    layer4 = [block.conv2.dilation[0] for block in model.backbone.layer4]
    layer3 = [block.conv2.dilation[0] for block in model.backbone.layer3]
    assert layer4 == [4, 8, 16]  # multi-grid (1, 2, 4) x rate 4
    assert layer3 == [1, 2, 2, 2, 2, 2]  # stock contract_dilation
    with torch.no_grad():
        feats = model.backbone(torch.randn(1, 3, 64, 64))
    assert feats[3].shape == (1, 2048, 8, 8)  # output stride 8


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_labels_are_checked_right_after_loading(path):
    cfg = load(path)
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        pipeline = cfg[loader].dataset.pipeline
        types = [step.type for step in pipeline]
        at = next(i for i, name in enumerate(types)
                  if name.endswith('LoadAnnotations'))  # or the fast one
        assert types[at + 1] == 'CheckSegMap', (loader, types)
        assert pipeline[at + 1].num_classes == \
            cfg.model.decode_head.num_classes == 19
        if loader == 'train_dataloader':  # before the label is resized
            assert 'Resize' not in ''.join(types[:at + 1])
    if 'tta_pipeline' in cfg:
        views = [step[0].type for step in cfg.tta_pipeline[1].transforms]
        assert views[views.index('LoadAnnotations') + 1] == 'CheckSegMap'


def test_fast_pipeline_keeps_the_stock_settings():
    stock = load(
        osp.join(REPO, 'configs', '_base_', 'datasets',
                 'cityscapes.py')).to_dict()
    fast = load(
        osp.join(REPO, 'configs', '_base_', 'datasets',
                 'cityscapes_fast.py')).to_dict()
    (load_img, load_ann, check, resize, crop, flip, photo,
     pack) = stock.pop('train_pipeline')
    fast_pipeline = fast.pop('train_pipeline')
    assert fast_pipeline[2] == check
    fused = fast_pipeline[3]
    assert fused == dict(
        type='FusedRandomResizeCrop',
        scale=resize['scale'],
        ratio_range=resize['ratio_range'],
        keep_ratio=resize['keep_ratio'],
        crop_size=crop['crop_size'],
        cat_max_ratio=crop['cat_max_ratio'])
    assert fast.pop('decoded_cache') == 'auto'
    for cfg in (stock, fast):
        cfg['train_dataloader']['dataset'].pop('pipeline')
    assert without_scope(fast) == without_scope(stock)  # the rest
