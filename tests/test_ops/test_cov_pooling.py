"""iSQRT-COV pooling and 3G-Net re-weighting."""
import pytest
import torch

from glore_mmseg.ops import (CovPooling, PositionReweighting, covariance,
                             newton_schulz_sqrt, triangle_vector)


def test_reweighting_parameter_count_and_weights():
    module = PositionReweighting(256)
    assert sum(p.numel() for p in module.parameters()) == 346_817
    module = PositionReweighting(32).eval()
    x, z = torch.randn(2, 32, 5, 5), torch.randn(2, 32, 5, 5)
    weights = module.weights(x, z)
    assert weights.shape == (2, 1, 5, 5)
    assert ((weights > 0) & (weights < 1)).all()
    torch.testing.assert_close(module(x, z), x * weights)
    with pytest.raises(ValueError, match='must have the same shape'):
        module(x, z[:, :, :4])
    with pytest.raises(ValueError, match='divisible by reduction'):
        PositionReweighting(30)


def test_pooling_is_reduce_covariance_sqrt_triangle():
    pooling = CovPooling(64, reduced_channels=16, num_iter=3).eval()
    x = torch.randn(2, 64, 7, 7)
    expected = triangle_vector(
        newton_schulz_sqrt(covariance(pooling.reduce(x)), 3), 'column')
    out = pooling(x)
    assert out.shape == (2, 16 * 17 // 2) == (2, pooling.out_channels)
    torch.testing.assert_close(out, expected)


def test_3g_pooling_reweights_before_the_covariance():
    pooling = CovPooling(64, reduced_channels=16, num_iter=5,
                         num_reweighting=3, eps=1e-7).eval()
    x = torch.randn(2, 64, 6, 6)
    z = pooling.reduce(x)
    y = z
    for module in pooling.reweighting:
        y = module(y, z)
    expected = triangle_vector(
        newton_schulz_sqrt(covariance(y, eps=1e-7), 5), 'column')
    torch.testing.assert_close(pooling(x), expected)


@pytest.mark.parametrize('shape', [(2, 32, 1, 1), (2, 32, 4, 4)])
@pytest.mark.parametrize('reweighting', [0, 3])
def test_degenerate_input_stays_finite(shape, reweighting):
    # Constant features (zero batch variance in every BN) and a single
    # position: zero covariance, zero trace.
    pooling = CovPooling(32, reduced_channels=8, num_reweighting=reweighting)
    x = torch.full(shape, 2.0, requires_grad=True)
    out = pooling(x)
    out.sum().backward()
    assert torch.isfinite(out).all() and torch.isfinite(x.grad).all()
    assert all(torch.isfinite(p.grad).all() for p in pooling.parameters()
               if p.grad is not None)


def test_bf16_autocast_output_is_float32():
    pooling = CovPooling(32, reduced_channels=8).eval()
    x = torch.randn(2, 32, 7, 7)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = pooling(x)
    assert out.dtype == torch.float32
    torch.testing.assert_close(out, pooling(x), rtol=0.05, atol=0.05)


def test_bad_arguments():
    with pytest.raises(ValueError, match='order must be one of'):
        CovPooling(8, triangle_order='diag')
    with pytest.raises(ValueError, match='num_iter must be >= 1'):
        CovPooling(8, num_iter=0)
    with pytest.raises(ValueError, match=r'got shape \(2, 8\)'):
        CovPooling(8)(torch.ones(2, 8))


@pytest.mark.parametrize('order', ['row', 'column'])
def test_legacy_onnx_export_uses_the_precomputed_triangle(order, tmp_path):
    # The TorchScript exporter has no aten::tril_indices / triu_indices:
    # the triangle positions must be a constant of the module, not computed
    # in forward.
    pytest.importorskip('onnx')
    pooling = CovPooling(32, reduced_channels=8, triangle_order=order).eval()
    path = tmp_path / 'pooling.onnx'
    torch.onnx.export(pooling, (torch.randn(1, 32, 5, 5), ), str(path),
                      dynamo=False)
    assert path.stat().st_size > 0


def test_triangle_index_is_not_in_the_state_dict():
    # Released GSoP-Net2 / 3G-Net state dicts have no index entry and still
    # load strictly.
    pooling = CovPooling(32, reduced_channels=8, num_reweighting=3)
    state = CovPooling(32, reduced_channels=8, num_reweighting=3).state_dict()
    assert not any('triangle' in key for key in state)
    pooling.load_state_dict(state, strict=True)
    pooling.double()  # the index stays an integer tensor
    assert pooling.triangle_index.dtype == torch.long
    assert pooling.triangle_index.shape == (8 * 9 // 2, )
