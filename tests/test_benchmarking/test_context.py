"""The context benchmark's configs and measurements.

The central fact: with the benchmark's backbone, FCN's logits at the squares
do not depend on the cue band at all (their gradient there is exactly 0),
while NonLocal's and GloRe's do. So FCN cannot beat chance on the squares
whatever it learns, and the two global heads can.
"""
import glob
import os.path as osp

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

from glore_mmseg.benchmarking.context import (configure_run, cue_gradient,
                                              node_shares, summarize,
                                              summary_table)
from tests.conftest import REPO

CONFIG_DIR = osp.join(REPO, 'configs', 'context_benchmark')
CONFIGS = sorted(glob.glob(osp.join(CONFIG_DIR, '*.py')))
HEADS = {'fcn': 'FCNHead', 'nonlocal': 'NLHead', 'glore': 'GloReHead'}
CUE_CLASSES = (2, 3)


def config_of(key):
    return next(c for c in CONFIGS if osp.basename(c).startswith(key + '_'))


def build(key, randomize=False):
    cfg = Config.fromfile(config_of(key))
    init_default_scope('mmseg')
    model = MODELS.build(cfg.model)
    model.init_weights()
    if randomize:  # undo the zero init of NonLocal's output conv
        for name, param in model.named_parameters():
            if name.endswith('weight') and not param.any():
                nn.init.normal_(param, std=0.1)
    return model.eval()


def squares_input():
    """A 64x320 input whose labels put squares at x >= 224."""
    inputs = torch.randn(1, 3, 64, 320)
    gt = torch.zeros(1, 64, 320, dtype=torch.long)
    gt[:, :, :64] = 1
    gt[:, 10:34, 224:248] = 2
    gt[:, 30:54, 290:314] = 2
    return inputs, gt


def test_configs_differ_only_in_the_head():
    assert [osp.basename(c).split('_')[0] for c in CONFIGS] == [
        'fcn', 'glore-zeroinit', 'glore', 'nonlocal'
    ]
    cfgs = {key: Config.fromfile(config_of(key)) for key in HEADS}
    shared = [(cfg.model.backbone, cfg.optim_wrapper.optimizer,
               cfg.param_scheduler, cfg.train_cfg,
               cfg.train_dataloader.batch_size, cfg.val_evaluator,
               cfg.model.data_preprocessor, cfg.model.auxiliary_head)
              for cfg in cfgs.values()]
    glore_backbone = dict(shared[2][0])
    assert glore_backbone.pop('multi_grid') is None  # its base's only extra
    assert all(s[0] == shared[0][0] for s in shared[:2])
    assert dict(shared[0][0]) == glore_backbone
    assert all(s[1:] == shared[0][1:] for s in shared)
    backbone = cfgs['fcn'].model.backbone
    assert (backbone.depth, backbone.base_channels) == (18, 16)
    assert backbone.dilations == (1, 1, 1, 1)  # no dilation: see below
    for key, head_type in HEADS.items():
        head = cfgs[key].model.decode_head
        assert head.type == head_type
        assert (head.in_channels, head.channels, head.num_classes) == (128,
                                                                       64, 4)
        assert cfgs[key].model.pretrained is None
    assert cfgs['fcn'].model.decode_head.concat_input is True  # stock FCN
    assert cfgs['glore'].model.decode_head.num_state == 32
    assert cfgs['glore'].model.decode_head.num_node == 16
    # the shipped head's start, and the one variant: the zero start
    assert 'zero_init' not in cfgs['glore'].model.decode_head
    variant = Config.fromfile(config_of('glore-zeroinit')).model
    assert variant.decode_head.pop('zero_init') is True
    assert variant == cfgs['glore'].model


@pytest.mark.parametrize('key', list(HEADS))
def test_only_global_heads_see_the_cue(key):
    model = build(key, randomize=True)
    inputs, gt = squares_input()
    gradient = cue_gradient(model, inputs, gt, CUE_CLASSES, band_width=64)
    if key == 'fcn':
        assert gradient == 0.0
    else:
        assert gradient > 0.0
    # The check is not blind: every head reaches the pixels next to the
    # squares (band_width = 224 includes x = 160..223).
    assert cue_gradient(model, inputs, gt, CUE_CLASSES, 224) > 0.0


def test_node_shares_of_uniform_projection():
    model = build('glore')
    unit = model.decode_head.glore_units[0]
    nn.init.zeros_(unit.conv_proj.weight)
    nn.init.ones_(unit.conv_proj.bias)  # every node weighs all positions
    inputs, gt = squares_input()
    sample = SegDataSample(gt_sem_seg=PixelData(data=gt))
    batch = dict(inputs=inputs, data_samples=[sample])
    shares = node_shares(model, [batch], 64, CUE_CLASSES)
    unit_shares = shares['decode_head.glore_units.0']
    # the band is 8 of the 40 columns at stride 8; the squares (2 of 24x24,
    # nearest-sampled at stride 8) are 18 of the 320 positions
    assert unit_shares['band'] == pytest.approx([0.2] * 16)
    assert unit_shares['squares'] == pytest.approx([18 / 320] * 16)


def test_configure_run_sets_length_seed_and_data(tmp_path):
    cfg = configure_run(config_of('glore'), 'data/x/', str(tmp_path), 7, 30)
    assert cfg.randomness.seed == 7
    assert cfg.train_cfg.max_iters == cfg.train_cfg.val_interval == 30
    assert cfg.param_scheduler[0].end == 30
    assert cfg.default_hooks.checkpoint.interval == 30
    assert cfg.default_hooks.checkpoint.type == 'AtomicCheckpointHook'
    assert all(cfg[loader].dataset.data_root == 'data/x/'
               for loader in ('train_dataloader', 'val_dataloader'))
    other = configure_run(config_of('glore'), 'data/x/', str(tmp_path), 7)
    assert other.experiment_name != cfg.experiment_name
    assert other.train_cfg.max_iters == 1000


def test_summary_mean_spread_and_table():
    records = [
        dict(config='a.py', seed=s, params=1000, subset_acc=acc, mIoU=50.0,
             subset_mIoU=40.0, cue_gradient=0.0, ms_per_iter=10.0)
        for s, acc in ((0, 90.0), (1, 94.0), (2, 92.0))
    ]
    summary = summarize(records)
    entry = summary['a.py']
    assert entry['seeds'] == [0, 1, 2]
    assert entry['subset_acc']['mean'] == 92.0
    assert entry['subset_acc']['std'] == 2.0  # sample standard deviation
    assert entry['subset_acc']['values'] == [90.0, 94.0, 92.0]
    table = summary_table(summary, {'a.py': 'A'})
    assert '| A | 1 k | 92.0 ± 2.0 | 40.0 ± 0.0 | 50.0 ± 0.0 | 0 | 10 ± 0 |' \
        in table


def test_shipped_head_starts_active_and_zeroinit_variant_closed():
    active = build('glore').decode_head.glore_units[0].blocker
    assert torch.equal(active.weight, torch.ones(64))
    assert active.eps == 1e-5
    identity = build('glore-zeroinit').decode_head.glore_units[0].blocker
    assert identity.weight.abs().sum() == identity.bias.abs().sum() == 0
    assert identity.eps == 1e-4
