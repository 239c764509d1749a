"""The mmcv.ops stand-in for mmcv-lite and the import hook serving it."""
import os.path as osp
import site

import pytest
import torch

from glore_mmseg_hook import has_compiled_mmcv_ops, mmcv_ops
from tests.conftest import REPO, run_python

LITE = not has_compiled_mmcv_ops()

# Drops the hook the installed glore_mmseg_hook.pth put on sys.meta_path.
WITHOUT_HOOK = ('import sys; sys.meta_path[:] = [f for f in sys.meta_path '
                "if type(f).__name__ != 'MmcvOpsFinder']; ")
HOOK_PTH = 'glore_mmseg_hook.pth'
NOTHING_IMPORTED = "import sys; assert 'glore_mmseg' not in sys.modules; "


@pytest.mark.skipif(not LITE, reason='compiled mmcv ops are installed')
def test_mmseg_models_import_needs_the_shim():
    control = run_python(['-c', WITHOUT_HOOK + 'import mmseg.models'])
    assert control.returncode != 0
    assert "No module named 'mmcv._ext'" in control.stderr
    fixed = run_python([
        '-c', WITHOUT_HOOK + 'import glore_mmseg, mmseg.models; '
        'from mmseg.models.losses import FocalLoss; '
        'from mmseg.models.utils import point_sample'
    ])
    assert fixed.returncode == 0, fixed.stderr[-2000:]


@pytest.mark.skipif(not LITE, reason='compiled mmcv ops are installed')
def test_other_ops_say_they_need_compiled_mmcv():
    with pytest.raises(ModuleNotFoundError, match='needs the compiled mmcv'):
        from mmcv.ops import DeformConv2d  # noqa: F401
    # mmseg's optional-op guards catch exactly ModuleNotFoundError.
    from mmseg.models.decode_heads import cc_head
    assert cc_head.CrissCrossAttention is None


def test_point_sample_bilinear_values():
    # 2x2 map, align_corners=False: pixel centres at 0.25 / 0.75.
    feat = torch.tensor([[[[0.0, 1.0], [2.0, 3.0]]]])
    points = torch.tensor([[[0.25, 0.25], [0.75, 0.75], [0.5, 0.5],
                            [0.75, 0.25]]])
    out = mmcv_ops.point_sample(feat, points)
    assert out.shape == (1, 1, 4)
    torch.testing.assert_close(out[0, 0], torch.tensor([0.0, 3.0, 1.5, 1.0]))
    grid = mmcv_ops.point_sample(feat, points.view(1, 2, 2, 2))
    assert grid.shape == (1, 1, 2, 2)


def test_sigmoid_focal_loss_matches_formula():
    logits = torch.tensor([[2.0, -1.0, 0.5], [0.0, 3.0, -2.0]])
    target = torch.tensor([0, 3])  # 3 = background: all negatives
    gamma, alpha = 2.0, 0.25
    p = torch.sigmoid(logits)
    expected = torch.empty_like(p)
    for i in range(2):
        for c in range(3):
            if target[i] == c:
                expected[i, c] = -alpha * (1 - p[i, c])**gamma * torch.log(
                    p[i, c])
            else:
                expected[i, c] = -(1 - alpha) * p[i, c]**gamma * torch.log(
                    1 - p[i, c])
    out = mmcv_ops.sigmoid_focal_loss(logits, target, gamma, alpha, None,
                                      'none')
    torch.testing.assert_close(out, expected)
    torch.testing.assert_close(
        mmcv_ops.sigmoid_focal_loss(logits, target), expected.sum() / 2)
    weight = torch.tensor([2.0, 1.0, 1.0])
    weighted = mmcv_ops.sigmoid_focal_loss(
        logits[:1], target[:1], weight=weight, reduction='sum')
    torch.testing.assert_close(weighted, expected[0].sum() * 2)


def test_install_puts_the_hook_pth_into_site_packages():
    # ``pip install -e .`` (and a regular install) must ship the .pth that
    # installs the hook at interpreter start; reinstall after pulling this.
    installed = [
        osp.join(folder, 'glore_mmseg_hook.pth')
        for folder in site.getsitepackages() + [site.getusersitepackages()]
        if osp.isfile(osp.join(folder, 'glore_mmseg_hook.pth'))
    ]
    assert installed, 'glore_mmseg_hook.pth is not installed: pip install -e .'
    with open(installed[0]) as f, open(osp.join(REPO, HOOK_PTH)) as g:
        assert f.read() == g.read()


@pytest.mark.skipif(not LITE, reason='compiled mmcv ops are installed')
def test_stock_mmseg_api_and_tools_with_nothing_imported_first():
    api = run_python([
        '-c', NOTHING_IMPORTED +
        'from mmseg.apis import init_model, inference_model, '
        'MMSegInferencer; '
        "assert 'glore_mmseg' not in sys.modules; "
        "assert 'point_sample' in dir(sys.modules['mmcv.ops'])"
    ])
    assert api.returncode == 0, api.stderr[-2000:]
    import mmseg
    get_flops = f'{mmseg.__path__[0]}/.mim/tools/analysis_tools/get_flops.py'
    tool = run_python([get_flops, '--help'])
    assert tool.returncode == 0, tool.stderr[-2000:]
    assert 'FLOPs' in tool.stdout


@pytest.mark.skipif(not LITE, reason='compiled mmcv ops are installed')
def test_hook_is_installed_at_start_without_importing_torch():
    startup = run_python([
        '-c', NOTHING_IMPORTED + "import glore_mmseg_hook; "
        "assert glore_mmseg_hook.installed(); "
        "assert 'torch' not in sys.modules and 'mmcv' not in sys.modules"
    ])
    assert startup.returncode == 0, startup.stderr[-2000:]


@pytest.mark.skipif(not LITE, reason='compiled mmcv ops are installed')
def test_feature_probes_see_a_missing_op_as_absent():
    import mmcv.ops

    # Other libraries probe optional ops like this; they must not crash.
    assert not hasattr(mmcv.ops, 'nms')
    assert getattr(mmcv.ops, 'nms', None) is None
    assert hasattr(mmcv.ops, 'point_sample')
    with pytest.raises(AttributeError, match='mmcv.ops.nms needs the '
                       'compiled mmcv ops'):
        mmcv.ops.nms
    # Imports still raise ModuleNotFoundError (mmseg's guards), also for a
    # submodule path.
    with pytest.raises(ModuleNotFoundError, match='mmcv.ops.nms needs the '
                       'compiled mmcv ops'):
        from mmcv.ops import nms  # noqa: F401
    with pytest.raises(ModuleNotFoundError,
                       match='mmcv.ops.deform_conv needs the compiled'):
        import mmcv.ops.deform_conv  # noqa: F401
