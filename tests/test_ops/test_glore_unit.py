import warnings
from collections import OrderedDict

import pytest
import torch
import torch.nn as nn

from glore_mmseg.ops import GloReUnit


def reference_glore(unit: GloReUnit, x: torch.Tensor) -> torch.Tensor:
    """Transcription of the official unit's maths: ``V = state proj^T``
    (``/ L`` with ``normalize``), ``H = conv2(relu(conv1(V) + V))``,
    ``x + blocker(conv_extend(H proj))``.

    Written with functional ops on the unit's weights only, so it shares no
    code path with ``GloReUnit.forward``.
    """
    b, c = x.shape[:2]
    flat = x.reshape(b, c, -1)  # (B, C, L)
    length = flat.shape[-1]
    w_state = unit.conv_state.weight.reshape(unit.num_state, c)
    w_proj = unit.conv_proj.weight.reshape(unit.num_node, c)
    state = torch.einsum('sc,bcl->bsl', w_state, flat) + \
        unit.conv_state.bias[None, :, None]
    proj = torch.einsum('nc,bcl->bnl', w_proj, flat) + \
        unit.conv_proj.bias[None, :, None]
    v = torch.einsum('bsl,bnl->bsn', state, proj)
    if unit.normalize:
        v = v / length
    a = unit.gcn.conv1.weight[:, :, 0]  # (N, N)
    h = torch.einsum('mn,bsn->bsm', a, v) + unit.gcn.conv1.bias[None, None]
    h = torch.relu(h + v)
    h = torch.einsum('ts,bsn->btn', unit.gcn.conv2.weight[:, :, 0], h)
    y = torch.einsum('bsn,bnl->bsl', h, proj)
    w_ext = unit.conv_extend.weight.reshape(c, unit.num_state)
    z = torch.einsum('cs,bsl->bcl', w_ext, y)
    bn = unit.blocker
    z = (z - bn.running_mean[None, :, None]) / torch.sqrt(
        bn.running_var[None, :, None] + bn.eps)
    z = z * bn.weight[None, :, None] + bn.bias[None, :, None]
    return x + z.reshape(x.shape)


def randomize(unit: nn.Module, seed: int = 0) -> nn.Module:
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in unit.parameters():
            p.copy_(torch.randn(p.shape, generator=gen) * 0.5)
        unit.blocker.running_mean.copy_(
            torch.randn(unit.in_channels, generator=gen))
        unit.blocker.running_var.copy_(
            torch.rand(unit.in_channels, generator=gen) + 0.5)
    return unit


SHAPES = {1: (2, 16, 7), 2: (2, 16, 5, 6), 3: (2, 16, 3, 4, 5)}


@pytest.mark.parametrize('dims', [1, 2, 3])
@pytest.mark.parametrize('normalize', [False, True])
def test_matches_reference_maths(dims, normalize):
    unit = randomize(GloReUnit(16, 8, 4, dims=dims,
                               normalize=normalize)).eval()
    x = torch.randn(*SHAPES[dims], generator=torch.Generator().manual_seed(1))
    # float32 module against the float64 transcription
    expected = reference_glore(unit.double(), x.double())
    out = unit.float()(x).double()
    assert ((out - expected).norm() / expected.norm()) < 1e-5


def test_hand_computed_tiny_case():
    # C=1, S=1, N=1, L=2, every weight 1, biases 0, blocker BN as identity:
    # state = proj = x = [1, 2]; V = 1*1 + 2*2 = 5; GCN: relu(1*5 + 5) = 10,
    # times W=1 -> 10; back-projection 10 * [1, 2] = [10, 20];
    # output = x + [10, 20] = [11, 22]. With normalize, V = 5/2 -> [6, 12].
    unit = GloReUnit(1, 1, 1, dims=1, zero_init=False).eval()
    with torch.no_grad():
        for module in (unit.conv_state, unit.conv_proj, unit.gcn.conv1):
            module.weight.fill_(1.0)
            module.bias.zero_()
        unit.gcn.conv2.weight.fill_(1.0)
        unit.conv_extend.weight.fill_(1.0)
        unit.blocker.eps = 0.0
    x = torch.tensor([[[1.0, 2.0]]])
    assert unit(x).flatten().tolist() == [11.0, 22.0]
    unit.normalize = True
    assert unit(x).flatten().tolist() == [6.0, 12.0]


@pytest.mark.parametrize('dims', [1, 2, 3])
def test_shapes_and_gradients(dims):
    unit = GloReUnit(16, 8, 4, dims=dims, zero_init=False)
    x = torch.randn(*SHAPES[dims], requires_grad=True)
    out = unit(x)
    assert out.shape == x.shape
    out.square().sum().backward()
    assert torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0
    for name, p in unit.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def test_default_sizes_follow_official_placement():
    unit = GloReUnit(1024)  # Res4 of ResNet-50
    assert (unit.num_state, unit.num_node) == (512, 256)
    assert isinstance(unit.blocker, nn.BatchNorm2d)
    assert unit.blocker.eps == 1e-4
    assert isinstance(GloReUnit(8, dims=3).conv_state, nn.Conv3d)


@pytest.mark.parametrize('dims', [1, 2, 3])
def test_zero_init_is_identity(dims):
    unit = GloReUnit(16, 8, 4, dims=dims)
    x = torch.randn(*SHAPES[dims])
    assert torch.equal(unit.train()(x), x)
    assert torch.equal(unit.eval()(x), x)
    # Only the blocker learns at the first step: the zero weight blocks the
    # gradient to everything before it.
    unit.train()(x).sum().backward()
    assert unit.blocker.weight.grad.abs().sum() > 0
    assert unit.conv_state.weight.grad.abs().sum() == 0


def test_init_weights_restores_identity_after_parent_init():
    unit = GloReUnit(16, 8, 4)
    nn.init.ones_(unit.blocker.weight)  # what ResNet's BN init does
    unit.init_weights()
    assert torch.count_nonzero(unit.blocker.weight) == 0
    assert torch.count_nonzero(GloReUnit(16, zero_init=False).blocker.weight)


def test_normalize_makes_nodes_independent_of_resolution():
    unit = randomize(GloReUnit(8, 4, 2, normalize=True)).eval()
    raw = randomize(GloReUnit(8, 4, 2, normalize=False)).eval()
    channel_values = torch.randn(1, 8, 1, 1)
    nodes, raw_nodes = [], []
    for size in ((4, 4), (16, 32)):
        x = channel_values.expand(1, 8, *size).contiguous()
        state = unit.conv_state(x).flatten(2)
        proj = unit.conv_proj(x).flatten(2)
        nodes.append(unit.project(state, proj))
        raw_nodes.append(raw.project(state, proj))
        # Constant input gives a constant output at any size.
        out = unit(x)
        torch.testing.assert_close(out, out[..., :1, :1].expand_as(out))
    torch.testing.assert_close(nodes[0], nodes[1])
    torch.testing.assert_close(raw_nodes[1], raw_nodes[0] * 32)  # L ratio
    torch.testing.assert_close(
        unit(channel_values.expand(1, 8, 4, 4))[..., 0, 0],
        unit(channel_values.expand(1, 8, 16, 32))[..., 0, 0])


def official_state_dict(c: int, s: int, n: int) -> 'OrderedDict':
    """Keys and shapes of the official GloRe_Unit_2D(c, n) state_dict."""
    return OrderedDict([
        ('conv_state.weight', torch.randn(s, c, 1, 1)),
        ('conv_state.bias', torch.randn(s)),
        ('conv_proj.weight', torch.randn(n, c, 1, 1)),
        ('conv_proj.bias', torch.randn(n)),
        ('gcn.conv1.weight', torch.randn(n, n, 1)),
        ('gcn.conv1.bias', torch.randn(n)),
        ('gcn.conv2.weight', torch.randn(s, s, 1)),
        ('conv_extend.weight', torch.randn(c, s, 1, 1)),
        ('blocker.weight', torch.randn(c)),
        ('blocker.bias', torch.randn(c)),
        ('blocker.running_mean', torch.randn(c)),
        ('blocker.running_var', torch.rand(c) + 0.5),
        ('blocker.num_batches_tracked', torch.tensor(7)),
    ])


def test_official_state_dict_round_trip():
    official = official_state_dict(32, 16, 8)
    unit = GloReUnit(32)  # S = C/2 = 16, N = C/4 = 8, as num_mid = 8
    unit.load_state_dict(official, strict=True)
    ours = unit.state_dict()
    assert list(ours) == list(official)
    for key, value in official.items():
        assert torch.equal(ours[key], value), key


def test_channels_last_matches_contiguous():
    unit = randomize(GloReUnit(16, 8, 4, normalize=True)).eval()
    x = torch.randn(2, 16, 6, 10)
    expected = unit(x)
    unit_cl = unit.to(memory_format=torch.channels_last)
    out = unit_cl(x.to(memory_format=torch.channels_last))
    torch.testing.assert_close(out, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('dtype', [torch.bfloat16, torch.float16])
def test_autocast_at_cityscapes_whole_image_size(dtype):
    # 1024x2048 at stride 8 -> 128x256 = 32,768 positions, as in the head.
    torch.manual_seed(0)
    unit = GloReUnit(64, 32, 16, normalize=True, zero_init=False).eval()
    with torch.no_grad():
        unit.conv_state.weight.mul_(20)
        unit.conv_proj.weight.mul_(20)
    x = torch.rand(1, 64, 128, 256) + 1.0
    with torch.no_grad():
        expected = unit(x)
        state = unit.conv_state(x).flatten(2).to(dtype)
        proj = unit.conv_proj(x).flatten(2).to(dtype)
        # A naive low-precision projection overflows (fp16) or loses the
        # sum (bf16); the unit's float32 path must not.
        naive = torch.bmm(state, proj.transpose(1, 2)) / x[0, 0].numel()
        with torch.autocast('cpu', dtype=dtype):
            out = unit(x)
    if dtype == torch.float16:
        assert not torch.isfinite(naive).all()
    assert torch.isfinite(out).all()
    rel = (out.float() - expected).norm() / expected.norm()
    assert rel < 2e-2


def test_half_model_without_autocast():
    unit = randomize(GloReUnit(16, 8, 4, normalize=True)).eval()
    x = torch.randn(1, 16, 8, 8)
    expected = unit(x)
    out = unit.to(torch.bfloat16)(x.to(torch.bfloat16))
    assert out.dtype == torch.bfloat16
    assert (out.float() - expected).norm() / expected.norm() < 2e-2


@pytest.mark.parametrize('kwargs, match', [
    (dict(num_state=0), 'num_state must be a positive integer'),
    (dict(num_node=-3), 'num_node must be a positive integer'),
    (dict(num_state=2.5), 'num_state must be a positive integer'),
    (dict(dims=4), 'dims must be 1, 2 or 3'),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        GloReUnit(16, **kwargs)


def test_bad_input():
    unit = GloReUnit(16, dims=2)
    with pytest.raises(ValueError, match=r'in_channels=16.*8 channels'):
        unit(torch.randn(1, 8, 4, 4))
    with pytest.raises(ValueError, match=r'expects a 4-D input'):
        unit(torch.randn(1, 16, 4))


def test_unnormalized_unit_warns_once_at_an_untrained_size():
    unit = GloReUnit(8, 4, 2)  # normalize=False, the official default
    unit.train()
    unit(torch.randn(2, 8, 4, 8))  # L = 32
    unit(torch.randn(2, 8, 8, 8))  # L = 64
    unit.eval()
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        unit(torch.randn(1, 8, 6, 8))  # L = 48, inside the trained range
    with pytest.warns(UserWarning,
                      match='trained on 32..64 positions now sees 256'):
        unit(torch.randn(1, 8, 16, 16))
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        unit(torch.randn(1, 8, 16, 16))  # once per unit


@pytest.mark.parametrize('normalize, train', [(True, True), (False, False)])
def test_no_size_warning_with_1_over_l_or_unknown_training(normalize, train):
    unit = GloReUnit(8, 4, 2, normalize=normalize).train(train)
    unit(torch.randn(1, 8, 4, 4))
    unit.eval()
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        unit(torch.randn(1, 8, 32, 32))


def test_two_normalized_units_export_and_save_as_pt2(tmp_path):
    # Dynamic H, W make 1/L a symbolic float; with autocast off the float32
    # islands must add no autocast nodes (torch.export cannot serialise
    # them with a symbolic input).
    model = nn.Sequential(GloReUnit(16, 8, 4, normalize=True),
                          GloReUnit(16, 8, 4, normalize=True)).eval()
    height = torch.export.Dim('height', min=2, max=64)
    width = torch.export.Dim('width', min=2, max=64)
    batch = torch.export.Dim('batch', min=1, max=8)
    program = torch.export.export(
        model, (torch.randn(2, 16, 8, 8), ),
        dynamic_shapes=({0: batch, 2: height, 3: width}, ))
    path = tmp_path / 'units.pt2'
    torch.export.save(program, str(path))
    loaded = torch.export.load(str(path)).module()
    x = torch.randn(3, 16, 12, 10)
    with torch.no_grad():
        torch.testing.assert_close(loaded(x), model(x))


def test_float32_islands_still_leave_autocast():
    unit = GloReUnit(16, 8, 4).eval()
    x = torch.randn(1, 16, 6, 6)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        nodes = unit.project(unit.conv_state(x).flatten(2),
                             unit.conv_proj(x).flatten(2))
    assert nodes.dtype == torch.float32
