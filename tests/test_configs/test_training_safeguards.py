"""Every config of the package carries the training safeguards itself, so
mmseg's and mmpretrain's own train.py get them too (not only
tools/train.py, which adds them to any config)."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from tests.conftest import REPO

CONFIGS = sorted(
    path for path in glob.glob(
        osp.join(REPO, 'configs', '**', '*.py'), recursive=True)
    if '_base_' not in path)


def test_every_config_family_is_covered():
    folders = {osp.basename(osp.dirname(path)) for path in CONFIGS}
    assert {'glore', 'demo', 'glore_cls', 'gsopnet', '3gnet'} <= folders


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_config_lists_the_safeguard_hooks(path):
    cfg = Config.fromfile(path)
    hooks = [hook['type'] for hook in cfg.custom_hooks]
    assert hooks[:2] == ['CheckFiniteLossHook', 'RandomStateHook']
    assert cfg.default_hooks.checkpoint.type == 'AtomicCheckpointHook'
