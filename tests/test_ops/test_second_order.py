"""Covariance, Newton-Schulz square root and triangle vectorisation."""
import pytest
import torch

from glore_mmseg.ops import (covariance, newton_schulz_sqrt, position_gram,
                             triangle_permutation, triangle_vector)


def spd(batch=2, dim=6, positions=20, dtype=torch.float64):
    x = torch.randn(batch, dim, positions, dtype=dtype)
    return covariance(x).to(dtype) + 0.1 * torch.eye(dim, dtype=dtype)


def reference_isqrt(a, num_iter):
    """fast-MPN-COV's formulation (ZY / YZY form), transcribed separately."""
    n = a.shape[1]
    eye3 = 3.0 * torch.eye(n, dtype=a.dtype).expand_as(a)
    norm = a.diagonal(dim1=1, dim2=2).sum(1).view(-1, 1, 1)
    a = a / norm
    if num_iter < 2:
        yzy = a @ (0.5 * (eye3 - a))
    else:
        zy = 0.5 * (eye3 - a)
        y, z = a @ zy, zy
        for _ in range(num_iter - 2):
            zy = 0.5 * (eye3 - z @ y)
            y, z = y @ zy, zy @ z
        yzy = 0.5 * y @ (eye3 - z @ y)
    return yzy * norm.sqrt()


def test_covariance_matches_the_centring_matrix_formula():
    x = torch.randn(3, 5, 7, 4, dtype=torch.float64)
    flat = x.flatten(2)
    m = flat.shape[2]
    centring = torch.eye(m, dtype=x.dtype) - torch.ones(m, m,
                                                        dtype=x.dtype) / m
    expected = flat @ centring @ flat.transpose(1, 2) / m
    got = covariance(x)
    assert got.dtype == torch.float64
    torch.testing.assert_close(got, expected)
    assert covariance(x.float()).dtype == torch.float32
    eye = torch.eye(5, dtype=x.dtype)
    torch.testing.assert_close(
        covariance(x, eps=1e-7) - got, 1e-7 * eye.expand(3, 5, 5))


def test_position_gram_is_the_official_formula():
    x = torch.randn(2, 16, 4, 4, dtype=torch.float64)
    d, m = 16, 16
    flat = x.flatten(2)
    i_hat = -torch.ones(d, d, dtype=x.dtype) / m / m + torch.eye(
        d, dtype=x.dtype) / m
    expected = flat.transpose(1, 2) @ i_hat @ flat
    torch.testing.assert_close(position_gram(x), expected)


@pytest.mark.parametrize('num_iter', [1, 2, 3, 5])
def test_newton_schulz_matches_the_isqrt_iteration(num_iter):
    a = spd()
    torch.testing.assert_close(
        newton_schulz_sqrt(a, num_iter), reference_isqrt(a, num_iter))


def test_many_iterations_converge_to_the_exact_root():
    a = spd(dim=8, positions=40)
    root = newton_schulz_sqrt(a, 40)
    torch.testing.assert_close(root @ root, a)
    # Few steps are not the exact root (compare with the iteration).
    few = newton_schulz_sqrt(a, 3)
    assert (few @ few - a).abs().max() > 1e-3


def test_gradcheck_float64():
    a = spd(batch=2, dim=4).requires_grad_()
    for num_iter in (1, 3, 5):
        assert torch.autograd.gradcheck(
            lambda m: newton_schulz_sqrt(m, num_iter), (a, ))
    x = torch.randn(2, 4, 9, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(
        lambda f: triangle_vector(newton_schulz_sqrt(covariance(f), 3)),
        (x, ))


def test_gradient_matches_the_reference_for_non_symmetric_upstream():
    # A hand-written backward that returns the transposed gradient (the
    # fast-MPN-COV bug) fails here: the upstream gradient is not symmetric.
    a = spd(batch=2, dim=4).requires_grad_()
    upstream = torch.randn(2, 4, 4, dtype=torch.float64)
    ours, = torch.autograd.grad((newton_schulz_sqrt(a, 3) * upstream).sum(),
                                a)
    ref, = torch.autograd.grad((reference_isqrt(a, 3) * upstream).sum(), a)
    torch.testing.assert_close(ours, ref)
    assert not torch.allclose(ours, ours.transpose(1, 2), atol=1e-3)


@pytest.mark.parametrize('shape', [(2, 8, 1, 1), (2, 8, 5, 5)])
def test_degenerate_features_give_finite_values_and_gradients(shape):
    # A single position, or constant features: zero covariance, zero trace.
    x = torch.ones(shape, requires_grad=True)
    root = newton_schulz_sqrt(covariance(x), 5)
    assert torch.equal(root, torch.zeros_like(root))
    triangle_vector(root).sum().backward()
    assert torch.isfinite(x.grad).all()


@pytest.mark.parametrize('dtype', [torch.bfloat16, torch.float16])
def test_float32_under_autocast(dtype):
    x = torch.randn(2, 8, 49)
    with torch.autocast('cpu', dtype=dtype):
        cov = covariance(x.to(dtype))
        root = newton_schulz_sqrt(cov, 3)
    assert cov.dtype == root.dtype == torch.float32
    torch.testing.assert_close(root, newton_schulz_sqrt(covariance(x), 3),
                               rtol=2e-2, atol=2e-2)


def test_triangle_orders():
    a = torch.arange(16.).view(1, 4, 4)
    a = a + a.transpose(1, 2)  # symmetric
    row = triangle_vector(a, 'row')
    assert row.shape == (1, 10)
    assert row[0].tolist() == [a[0, r, c].item() for r in range(4)
                               for c in range(r, 4)]
    # The official GSoP / 3G-Net order: flattened positions of
    # ones(d, d).triu().t(), i.e. the row-major lower triangle.
    mask = torch.ones(4, 4).triu().t().reshape(-1).nonzero().flatten()
    column = triangle_vector(a, 'column')
    assert column[0].tolist() == a.reshape(1, 16)[0, mask].tolist()
    assert row[0].tolist() != column[0].tolist()
    with pytest.raises(ValueError, match='order must be one of'):
        triangle_vector(a, 'diagonal')


def test_triangle_permutation_keeps_fc_outputs():
    dim = 5
    cov = spd(batch=3, dim=dim).float()
    weight_column = torch.randn(7, dim * (dim + 1) // 2)
    out_column = triangle_vector(cov, 'column') @ weight_column.t()
    weight_row = weight_column[:, triangle_permutation(dim, 'column', 'row')]
    out_row = triangle_vector(cov, 'row') @ weight_row.t()
    torch.testing.assert_close(out_row, out_column)


def test_bad_inputs():
    with pytest.raises(ValueError, match='num_iter must be >= 1'):
        newton_schulz_sqrt(torch.eye(3)[None], 0)
    with pytest.raises(ValueError, match=r'\(B, d, d\) matrices'):
        newton_schulz_sqrt(torch.ones(2, 3, 4), 3)
    with pytest.raises(ValueError, match=r'got shape \(4,\)'):
        covariance(torch.ones(4))


@pytest.mark.parametrize('num_iter', [1, 3, 5])
def test_newton_schulz_float32_is_bitwise_the_plain_iteration(num_iter):
    # The leaner loop (first step without products by I, 1.5I - 0.5ZY in
    # place) must not change a single float32 value of the textbook form.
    # d = 256 as in the necks (CPU GEMMs may round small sizes alike).
    a = spd(batch=2, dim=256, positions=300, dtype=torch.float32)
    eye = torch.eye(256).expand_as(a)
    trace = a.diagonal(dim1=1, dim2=2).sum(1)[:, None, None]
    y, z = a / trace, eye
    for _ in range(num_iter):
        t = 0.5 * (3.0 * eye - z @ y)
        y, z = y @ t, t @ z
    assert torch.equal(newton_schulz_sqrt(a, num_iter), y * trace.sqrt())
