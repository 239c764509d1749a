"""GSoP-Net1 block: modes, parameter layout, numerics."""
import pytest
import torch

from glore_mmseg.ops import GSoPBlock


def n_params(module):
    return sum(p.numel() for p in module.parameters())


@pytest.mark.parametrize('mode', ['channel', 'position', 'avg', 'max',
                                  'concat'])
def test_modes_keep_the_shape_and_train(mode):
    block = GSoPBlock(256, mode=mode, reduced_channels=32, reduce_stride=2)
    x = torch.randn(2, 256, 14, 14, requires_grad=True)
    out = block(x)
    assert out.shape == x.shape
    out.square().mean().backward()
    assert torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0
    assert all(p.grad is not None for p in block.parameters())


def test_channel_parameter_count_matches_the_official_layout():
    c, d = 1024, 128
    expected = (c * d + d) + 2 * d + 2 * d + (4 * d * d + 4 * d) + (
        4 * d * c + c)
    assert n_params(GSoPBlock(c, 'channel')) == expected


def test_channel_mode_scales_each_channel_by_a_weight_in_0_1():
    block = GSoPBlock(64, 'channel', reduced_channels=16).eval()
    x = torch.rand(2, 64, 7, 7) + 0.1
    ratio = block(x) / x
    # One weight per (sample, channel), the same at every position.
    torch.testing.assert_close(ratio, ratio[..., :1, :1].expand_as(ratio))
    assert ((ratio > 0) & (ratio < 1)).all()


def test_position_mode_weights_positions_and_applies_relu():
    block = GSoPBlock(64, 'position', reduced_channels=16).eval()
    x = torch.randn(2, 64, 16, 16)
    out = block(x)
    assert (out >= 0).all()
    weights = block.position_weights(x)
    assert weights.shape == (2, 1, 16, 16)
    torch.testing.assert_close(out, torch.relu(x * weights))


def test_fusions_combine_the_two_branches():
    torch.manual_seed(0)
    avg = GSoPBlock(64, 'avg', reduced_channels=16).eval()
    x = torch.randn(2, 64, 8, 8)
    by_channel = x * avg.channel_weights(x)
    by_position = torch.relu(x * avg.position_weights(x))
    torch.testing.assert_close(avg(x), by_channel + by_position)
    maximum = GSoPBlock(64, 'max', reduced_channels=16).eval()
    maximum.load_state_dict(avg.state_dict())
    torch.testing.assert_close(maximum(x),
                               torch.maximum(by_channel, by_position))


def test_constant_features_stay_finite_in_training():
    block = GSoPBlock(128, 'avg', reduced_channels=16)
    x = torch.full((2, 128, 8, 8), 3.0, requires_grad=True)
    out = block(x)
    out.sum().backward()
    assert torch.isfinite(out).all() and torch.isfinite(x.grad).all()


def test_bf16_autocast_keeps_statistics_in_float32():
    block = GSoPBlock(64, 'avg', reduced_channels=16).eval()
    x = torch.randn(2, 64, 8, 8)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = block(x)
    assert torch.isfinite(out).all()
    torch.testing.assert_close(out.float(), block(x), rtol=0.1, atol=0.1)


def test_bad_arguments():
    with pytest.raises(ValueError, match='mode must be one of'):
        GSoPBlock(64, 'spatial')
    with pytest.raises(ValueError, match='concat mode needs in_channels'):
        GSoPBlock(96, 'concat')
    with pytest.raises(ValueError, match=r'got shape \(2, 64\)'):
        GSoPBlock(64)(torch.ones(2, 64))
