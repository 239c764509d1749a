"""The mmpretrain configs (ImageNet, CUB-200-2011): build, parameter
counts, schedules."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS

from tests.conftest import REPO

CLS_CONFIGS = sorted(
    glob.glob(osp.join(REPO, 'configs', 'glore_cls', '*.py')) +
    glob.glob(osp.join(REPO, 'configs', 'gsopnet', '*.py')) +
    glob.glob(osp.join(REPO, 'configs', '3gnet', '*.py')))
CUB_CONFIGS = [c for c in CLS_CONFIGS if '_cub-' in osp.basename(c)]
IN1K_CONFIGS = [c for c in CLS_CONFIGS if c not in CUB_CONFIGS]

PARAMS_M = {
    'glore-res4x3_resnet50_8xb32_in1k.py': 30.48,
    'glore-res3x2-res4x3_resnet50_8xb32_in1k.py': 31.30,
    # R18 11.69 M + one unit C=256, S=256, N=128 (246,784)
    'glore-res4x1_resnet18_8xb32_in1k.py': 11.936296,
    # R18 with a 200-class head + units with N=16, S=C
    'resnet18_1xb32-10e_cub-448px.py': 11.279112,
    'glore-res3x1_resnet18_1xb32-10e_cub-448px.py': 11.330984,
    'glore-res4x1_resnet18_1xb32-10e_cub-448px.py': 11.480872,
    'gsopnet1-channel_resnet50_8xb32-95e_in1k.py': 28.29,
    'gsopnet2_resnet50_8xb32-65e_in1k.py': 58.28,
    '3gnet_resnet50_8xb32-115e_in1k.py': 57.97,
}


def test_config_set():
    names = {osp.basename(c) for c in CLS_CONFIGS}
    assert set(PARAMS_M) <= names
    for mode in ('channel', 'position', 'avg', 'max', 'concat'):
        assert f'gsopnet1-{mode}_resnet50_8xb32-95e_in1k.py' in names
    assert 'glore-res4x3_resnet101_8xb32_in1k.py' in names
    assert '3gnet_resnet101_8xb32-115e_in1k.py' in names
    assert len(CUB_CONFIGS) == 3


def build(cfg):
    init_default_scope('mmpretrain')
    return MODELS.build(cfg.model)


def count_params(model):
    return sum(p.numel() for p in model.parameters()) / 1e6


@pytest.mark.parametrize('path', IN1K_CONFIGS, ids=osp.basename)
def test_config_builds_on_the_stock_recipe(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmpretrain'
    assert cfg.custom_imports['imports'] == ['glore_mmseg']
    # mmpretrain's stock ResNet-50 recipe underneath.
    assert cfg.train_dataloader.dataset.type == 'ImageNet'
    assert cfg.optim_wrapper.optimizer.lr == 0.1
    assert cfg.model.head.num_classes == 1000
    model = build(cfg)
    name = osp.basename(path)
    if name in PARAMS_M:
        assert count_params(model) == pytest.approx(PARAMS_M[name],
                                                    abs=0.005)
    if '101' in name:
        assert cfg.model.backbone.depth == 101


def load(name):
    return Config.fromfile(
        glob.glob(osp.join(REPO, 'configs', '*', name))[0])


def test_papers_schedules():
    net1 = load('gsopnet1-channel_resnet50_8xb32-95e_in1k.py')
    assert net1.train_cfg.max_epochs == 95
    assert net1.param_scheduler.milestones == [30, 60, 90]
    assert net1.model.backbone.strides == (1, 2, 2, 1)
    net2 = load('gsopnet2_resnet50_8xb32-65e_in1k.py')
    assert net2.train_cfg.max_epochs == 65
    assert net2.param_scheduler.milestones == [30, 45, 60]
    assert net2.model.backbone.gsop_stages == (True, True, True, False)
    assert (net2.model.neck.type, net2.model.neck.num_iter) == (
        'ISQRTCovNeck', 3)
    three_g = load('3gnet_resnet50_8xb32-115e_in1k.py')
    assert three_g.train_cfg.max_epochs == 115
    assert (three_g.param_scheduler.type,
            three_g.param_scheduler.step_size) == ('StepLR', 30)
    assert three_g.model.neck.num_iter == 5
    glore = load('glore-res4x3_resnet50_8xb32_in1k.py')
    assert glore.train_cfg.max_epochs == 100  # mmpretrain's recipe
    assert glore.model.backbone.glore_units == (0, 0, 3, 0)


def test_fig7_resnet18_has_one_128_node_unit_in_the_middle_of_res4():
    cfg = load('glore-res4x1_resnet18_8xb32_in1k.py')
    assert cfg.model.backbone.depth == 18  # mmpretrain's ResNet-18 recipe
    model = build(cfg)
    (name, unit), = model.backbone.glore_units.items()
    assert name == 'layer3_0'  # Res4 has 2 blocks: between them
    sizes = (unit.in_channels, unit.num_state, unit.num_node)
    assert sizes == (256, 256, 128)
    assert count_params(model) == pytest.approx(11.936296, abs=1e-6)


@pytest.mark.parametrize('path', CUB_CONFIGS, ids=osp.basename)
def test_cub_configs_hold_the_reports_recipe(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmpretrain'
    assert cfg.custom_imports['imports'] == ['glore_mmseg']
    for loader in (cfg.train_dataloader, cfg.val_dataloader,
                   cfg.test_dataloader):
        assert loader.dataset.type == 'CUB'  # mmpretrain's own data set
    assert cfg.val_dataloader.dataset.split == 'test'
    assert cfg.train_dataloader.batch_size == 32
    optimizer = cfg.optim_wrapper.optimizer
    assert (optimizer.type, optimizer.lr, optimizer.momentum,
            optimizer.weight_decay) == ('SGD', 0.01, 0.9, 5e-4)
    assert cfg.train_cfg.max_epochs == 10 and cfg.param_scheduler == []
    assert cfg.model.backbone.depth == 18
    assert cfg.model.backbone.init_cfg.checkpoint.endswith(
        'resnet18_8xb32_in1k_20210831-fbbb1da6.pth')
    assert (cfg.model.head.num_classes, cfg.data_preprocessor.num_classes
            ) == (200, 200)
    cfg.model.backbone.init_cfg = None  # no download in tests
    model = build(cfg)
    name = osp.basename(path)
    assert count_params(model) == pytest.approx(PARAMS_M[name], abs=1e-6)
    units = {k: (u.in_channels, u.num_state, u.num_node, u.normalize)
             for k, u in getattr(model.backbone, 'glore_units', {}).items()}
    expected = {
        'resnet18': {},
        'glore-res3x1': {'layer2_1': (128, 128, 16, False)},
        'glore-res4x1': {'layer3_1': (256, 256, 16, False)},
    }
    assert units == expected[name.split('_')[0]]
