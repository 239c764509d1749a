import pytest
import torch
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

from glore_mmseg.models import GloReHead, GloRePlugin


def build_head(**kwargs):
    cfg = dict(
        type='GloReHead',
        in_channels=32,
        channels=16,
        num_classes=5,
        num_state=8,
        num_node=4,
        norm_cfg=dict(type='BN', requires_grad=True))
    cfg.update(kwargs)
    return MODELS.build(cfg)


def test_structure_follows_official_head():
    head = build_head(num_units=2)
    assert isinstance(head, GloReHead)
    assert head.conv_in.conv.kernel_size == (3, 3)
    assert head.conv_in.conv.in_channels == 32
    assert head.conv_out.conv.in_channels == 16
    assert len(head.glore_units) == 2
    unit = head.glore_units[0]
    assert isinstance(unit, GloRePlugin)
    assert (unit.in_channels, unit.num_state, unit.num_node) == (16, 8, 4)
    assert unit.normalize  # on by default for segmentation
    assert isinstance(unit.blocker, torch.nn.BatchNorm2d)  # head's BN
    assert head.dropout.p == 0.1


def test_defaults_match_official_segmentation_head():
    head = MODELS.build(
        dict(type='GloReHead', in_channels=2048, channels=512,
             num_classes=19))
    unit = head.glore_units[0]
    assert len(head.glore_units) == 1
    assert (unit.in_channels, unit.num_state, unit.num_node) == (512, 128, 64)


@pytest.mark.parametrize('norm_cfg', [dict(type='BN', requires_grad=True),
                                      None])
def test_units_start_as_the_official_head_after_init_weights(norm_cfg):
    # The paper's head unit is "randomly initialized"; the official
    # segmentation head's blocker is a plain nn.BatchNorm2d. Only the
    # official backbone units start at zero.
    head = build_head(num_units=2, norm_cfg=norm_cfg)
    head.init_weights()
    for unit in head.glore_units:
        assert not unit.zero_init
        assert type(unit.blocker) is torch.nn.BatchNorm2d
        assert unit.blocker.eps == 1e-5
        assert torch.equal(unit.blocker.weight, torch.ones(16))
        assert torch.equal(unit.blocker.bias, torch.zeros(16))
    x = torch.randn(2, 16, 6, 6)
    assert not torch.allclose(head.glore_units.eval()(x), x)


def test_zero_init_option_starts_as_identity_with_backbone_eps():
    head = build_head(num_units=2, zero_init=True)
    head.init_weights()
    for unit in head.glore_units:
        assert unit.blocker.eps == 1e-4  # the official backbone unit's
        assert not unit.blocker.weight.any() and not unit.blocker.bias.any()
    x = torch.randn(2, 16, 6, 6)
    assert torch.equal(head.glore_units.eval()(x), x)


@pytest.mark.parametrize('zero_init', [False, True])
def test_eps_set_in_norm_cfg_is_kept(zero_init):
    head = build_head(
        zero_init=zero_init, norm_cfg=dict(type='BN', eps=1e-3))
    assert head.glore_units[0].blocker.eps == 1e-3
    head = build_head(
        zero_init=zero_init, glore_norm_cfg=dict(type='GN', num_groups=4))
    assert isinstance(head.glore_units[0].blocker, torch.nn.GroupNorm)


def test_forward_loss_and_predict():
    torch.manual_seed(0)
    head = build_head()
    feats = [torch.randn(2, 32, 8, 8)]
    logits = head(feats)
    assert logits.shape == (2, 5, 8, 8)

    samples = []
    for _ in range(2):
        sample = SegDataSample()
        sample.gt_sem_seg = PixelData(
            data=torch.randint(0, 5, (1, 32, 32)))
        sample.set_metainfo(dict(img_shape=(32, 32), pad_shape=(32, 32)))
        samples.append(sample)
    losses = head.loss(feats, samples, train_cfg=dict())
    assert set(losses) == {'loss_ce', 'acc_seg'}
    assert torch.isfinite(losses['loss_ce'])
    losses['loss_ce'].backward()
    assert head.conv_in.conv.weight.grad.abs().sum() > 0
    assert head.glore_units[0].blocker.weight.grad.abs().sum() > 0

    head.eval()
    seg_logits = head.predict(
        feats, [dict(img_shape=(32, 32))], test_cfg=dict(mode='whole'))
    assert seg_logits.shape == (2, 5, 32, 32)


@pytest.mark.parametrize('num_units', [0, 3])
def test_num_units_must_be_one_or_two(num_units):
    with pytest.raises(ValueError, match='num_units must be 1 or 2'):
        build_head(num_units=num_units)


def test_in_channels_mismatch_names_the_config_key():
    head = build_head()
    with pytest.raises(ValueError, match=r'decode_head.in_channels=32.*64'):
        head([torch.randn(1, 64, 8, 8)])


@pytest.mark.parametrize('key', ['num_state', 'num_node'])
def test_non_positive_sizes_rejected(key):
    with pytest.raises(ValueError, match=f'{key} must be a positive'):
        build_head(**{key: 0})
