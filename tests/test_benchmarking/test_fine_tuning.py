"""Short CUB fine-tuning runs: configuration, divergence, summaries."""
import math
import os.path as osp

import pytest
import torch

from glore_mmseg.benchmarking.fine_tuning import (CUB_CONFIG_DIR, CUB_CONFIGS,
                                                  VARIANTS, configure_cub_run,
                                                  loss_summary,
                                                  train_and_record,
                                                  unit_scales)
from glore_mmseg.datasets import make_synthetic_cub
from glore_mmseg.visualization.loss_curves import smooth


def test_run_config_keeps_the_recipe_and_shrinks_the_run(tmp_path):
    config, backbone = VARIANTS['glore-res4-w1-norm']
    cfg = configure_cub_run(
        osp.join(CUB_CONFIG_DIR, config), 'data', str(tmp_path), 7, 5,
        crop_size=56, batch_size=3, lr=0.1, backbone=backbone)
    assert cfg.train_cfg.max_iters == cfg.train_cfg.val_interval == 7
    assert cfg.train_dataloader.batch_size == 3
    assert cfg.model.head.num_classes == cfg.data_preprocessor.num_classes
    assert cfg.model.backbone.glore_zero_init is False
    assert cfg.model.backbone.glore_normalize is True
    assert cfg.model.backbone.glore_num_nodes == 16  # the config's
    assert cfg.model.backbone.init_cfg is None  # no download
    optimizer = cfg.optim_wrapper.optimizer
    assert (optimizer.lr, optimizer.momentum, optimizer.weight_decay) == (
        0.1, 0.9, 5e-4)
    train = [t for t in cfg.train_dataloader.dataset.pipeline]
    assert [t.type for t in train] == [
        'LoadImageFromFile', 'Resize', 'RandomCrop', 'RandomFlip',
        'PackInputs'
    ]
    assert (train[1].scale, train[2].crop_size) == (64, 56)
    assert cfg.test_dataloader.dataset.pipeline[2].crop_size == 56


def test_a_non_finite_loss_is_recorded_not_raised(tmp_path):
    root = str(tmp_path / 'cub')
    make_synthetic_cub(root, num_classes=2,
                       per_class={'train': 2, 'test': 1},
                       image_size=(40, 32))
    cfg = configure_cub_run(
        osp.join(CUB_CONFIG_DIR, CUB_CONFIGS['resnet18']), root,
        str(tmp_path / 'run'), 4, 2, crop_size=32, batch_size=4, lr=1e12)
    record = train_and_record(cfg)
    assert record['diverged_at'] is not None and record['top1'] is None
    assert len(record['losses']) >= record['diverged_at'] - 1
    summary = loss_summary(record['losses'])
    assert math.isfinite(summary['first'])


def test_loss_summary_and_smoothing():
    assert loss_summary([3.0, 2.0, 1.0], window=2) == dict(
        first=3.0, max=3.0, final=1.5)
    assert loss_summary([3.0, None])['max'] == math.inf
    assert loss_summary([]) == dict(first=None, max=None, final=None)
    line = smooth([1.0, 3.0, None, 5.0, 7.0], window=2)
    assert line[:2].tolist() == [1.0, 2.0]
    assert math.isnan(line[2]) and math.isnan(line[3])
    assert line[4] == pytest.approx(6.0)


@pytest.mark.parametrize('normalize,growth', [(False, (3.5, 4.5)),
                                              (True, (0.8, 1.3))])
def test_unit_scales_grow_with_positions_without_one_over_l(
        normalize, growth):
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import MODELS
    init_default_scope('mmpretrain')
    torch.manual_seed(0)
    model = MODELS.build(dict(
        type='ImageClassifier',
        backbone=dict(type='GloReResNet', depth=18, glore_units=(0, 0, 1, 0),
                      glore_zero_init=False, glore_normalize=normalize)))
    model.eval()
    small, large = (unit_scales(model, torch.ones(1, 3, s, s))['layer3_0']
                    for s in (64, 128))  # L = 16 and 64 positions
    # A constant image: features of about the same scale (zero padding
    # changes the borders a little); 4x the positions give about 4x the
    # node features without 1/L, about the same with it.
    assert large['features'] == pytest.approx(small['features'], rel=0.05)
    low, high = growth
    for key in ('nodes', 'extended'):
        assert low < large[key] / small[key] < high
