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


def build_classifier(backbone, neck=None, in_channels=2048):
    """An mmpretrain ImageNet classifier on a depth-50 ``backbone`` config
    (GAP neck unless ``neck`` is given; 1000-class linear head)."""
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import MODELS
    init_default_scope('mmpretrain')
    return MODELS.build(
        dict(
            type='ImageClassifier',
            backbone=dict(depth=50, **backbone),
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
