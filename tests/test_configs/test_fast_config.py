"""The fast bf16 Cityscapes variant, trained for a few iterations on the CPU
with the demo's small model and data: compiled, fused, channels-last."""
import math
import os.path as osp

import torch
from mmengine.config import Config
from mmengine.runner import Runner

from glore_mmseg.benchmarking.compile import compiled_graph_count
from tests.conftest import DEMO_CONFIG, REPO

FAST = osp.join(REPO, 'configs', 'glore',
                'glore_r50-d8_4xb2-amp-bf16-fast-80k_cityscapes-512x1024.py')


def test_fast_settings_on_top_of_the_bf16_config():
    fast = Config.fromfile(FAST)
    assert fast.compile is True
    assert fast.optim_wrapper.type == 'BF16OptimWrapper'
    assert fast.optim_wrapper.optimizer == dict(
        type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0005, fused=True)
    assert dict(type='ChannelsLastHook') in fast.custom_hooks
    assert fast.model.backbone.multi_grid == (4, 8, 16)  # the same model
    pipeline = [step.type for step in fast.train_dataloader.dataset.pipeline]
    assert pipeline[:4] == [
        'FastLoadImageFromFile', 'FastLoadAnnotations', 'CheckSegMap',
        'FusedRandomResizeCrop'
    ]
    assert fast.train_dataloader.num_workers == 8


def test_fast_variant_trains_compiled_on_cpu(tmp_path, cityscapes_root):
    fast = Config.fromfile(FAST)
    cfg = Config.fromfile(DEMO_CONFIG)
    for key in ('optim_wrapper', 'custom_hooks'):
        cfg[key] = fast[key]
    # mmengine's compile option with dynamo's capture only: inductor's code
    # generation takes minutes on two CPU cores (README, measured).
    cfg.compile = dict(backend='eager')
    cfg.train_dataloader.dataset.data_root = cityscapes_root
    cfg.train_dataloader.num_workers = 0
    cfg.train_dataloader.persistent_workers = False
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=2,
                         val_interval=100)
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    cfg.test_dataloader = cfg.test_cfg = cfg.test_evaluator = None
    cfg.work_dir = str(tmp_path)
    runner = Runner.from_cfg(cfg)
    graphs = compiled_graph_count()
    runner.train()
    assert compiled_graph_count() > graphs  # the step really compiled
    assert runner.iter == 2
    assert math.isfinite(runner.message_hub.get_scalar('train/loss')
                         .current())
    weight = runner.model.backbone.stem[0].weight
    assert weight.is_contiguous(memory_format=torch.channels_last)
    optimizer = runner.optim_wrapper.optimizer
    assert optimizer.defaults['fused'] is True
    # The optimizer stepped the channels-last parameter objects.
    assert 'momentum_buffer' in optimizer.state[weight]
