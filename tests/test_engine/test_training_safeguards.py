import os.path as osp

import pytest
from mmengine.config import Config

from glore_mmseg.engine.training_safeguards import add_training_safeguards
from tests.conftest import REPO


# The two inheritance chains: mmseg (iteration-based) and mmpretrain
# (epoch-based); the other configs only change models and schedules.
@pytest.mark.parametrize('config', [
    'glore/glore_r50-d8_4xb2-80k_cityscapes-512x1024.py',
    'glore_cls/glore-res4x3_resnet50_8xb32_in1k.py'
])
def test_package_configs_get_the_safeguards(config):
    cfg = Config.fromfile(osp.join(REPO, 'configs', config))
    interval = cfg.default_hooks.checkpoint.interval
    add_training_safeguards(cfg)
    assert cfg.default_hooks.checkpoint.type == 'AtomicCheckpointHook'
    assert cfg.default_hooks.checkpoint.interval == interval
    assert [h['type'] for h in cfg.custom_hooks
            ] == ['CheckFiniteLossHook', 'RandomStateHook']


def test_safeguards_are_added_once_and_custom_checkpoint_hooks_kept():
    cfg = Config(
        dict(
            custom_hooks=[dict(type='RandomStateHook')],
            default_hooks=dict(checkpoint=dict(type='MyCheckpointHook'))))
    add_training_safeguards(cfg)
    add_training_safeguards(cfg)
    assert [h['type'] for h in cfg.custom_hooks
            ] == ['RandomStateHook', 'CheckFiniteLossHook']
    assert cfg.default_hooks.checkpoint.type == 'MyCheckpointHook'
