"""The mmpretrain ImageNet configs: build, parameter counts, schedules."""
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

PARAMS_M = {
    'glore-res4x3_resnet50_8xb32_in1k.py': 30.48,
    'glore-res3x2-res4x3_resnet50_8xb32_in1k.py': 31.30,
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


@pytest.mark.parametrize('path', CLS_CONFIGS, ids=osp.basename)
def test_config_builds_on_the_stock_recipe(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmpretrain'
    assert cfg.custom_imports['imports'] == ['glore_mmseg']
    # mmpretrain's stock ResNet-50 recipe underneath.
    assert cfg.train_dataloader.dataset.type == 'ImageNet'
    assert cfg.optim_wrapper.optimizer.lr == 0.1
    assert cfg.model.head.num_classes == 1000
    init_default_scope('mmpretrain')
    model = MODELS.build(cfg.model)
    name = osp.basename(path)
    if name in PARAMS_M:
        params = sum(p.numel() for p in model.parameters()) / 1e6
        assert params == pytest.approx(PARAMS_M[name], abs=0.005)
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
