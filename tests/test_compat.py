"""Each fix in glore_mmseg.compat, and the break it fixes."""
import copy
import glob
import os
import os.path as osp
import pickle

import numpy as np
import pytest
import torch
from mmengine.logging import MessageHub
from mmengine.runner.checkpoint import _load_checkpoint

from glore_mmseg import compat
from tests.conftest import run_python

LITE = not compat.has_compiled_mmcv_ops()


# -- 1. mmcv.ops without compiled ops ---------------------------------------

@pytest.mark.skipif(not LITE, reason='compiled mmcv ops are installed')
def test_mmseg_models_import_needs_the_shim():
    control = run_python(['-c', 'import mmseg.models'])
    assert control.returncode != 0
    assert "No module named 'mmcv._ext'" in control.stderr
    fixed = run_python(['-c', 'import glore_mmseg, mmseg.models; '
                        'from mmseg.models.losses import FocalLoss; '
                        'from mmseg.models.utils import point_sample'])
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
    out = compat.point_sample(feat, points)
    assert out.shape == (1, 1, 4)
    torch.testing.assert_close(out[0, 0], torch.tensor([0.0, 3.0, 1.5, 1.0]))
    grid = compat.point_sample(feat, points.view(1, 2, 2, 2))
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
    out = compat.sigmoid_focal_loss(logits, target, gamma, alpha, None,
                                    'none')
    torch.testing.assert_close(out, expected)
    torch.testing.assert_close(
        compat.sigmoid_focal_loss(logits, target), expected.sum() / 2)
    weight = torch.tensor([2.0, 1.0, 1.0])
    weighted = compat.sigmoid_focal_loss(
        logits[:1], target[:1], weight=weight, reduction='sum')
    torch.testing.assert_close(weighted, expected[0].sum() * 2)


# -- 2. weights-only checkpoints --------------------------------------------

def runner_checkpoint(path):
    """A checkpoint holding what mmengine's Runner saves besides weights."""
    hub = MessageHub.get_instance('compat_test')
    hub.update_scalar('train/loss', 0.5)
    hub.update_scalar('train/loss', np.float64(0.25))
    hub.update_info('iter', 20)
    hub.update_info('best', np.float32(1.5))
    torch.save(
        dict(
            meta=dict(iter=20, seed=np.int64(3), dataset_meta=dict(
                classes=('road', ), palette=[[128, 64, 128]])),
            state_dict={'w': torch.ones(2)},
            message_hub=hub.state_dict(),
            optimizer=dict(state={}, param_groups=[dict(lr=0.01)])), path)


def test_runner_checkpoint_loads_weights_only(tmp_path):
    path = str(tmp_path / 'iter_20.pth')
    runner_checkpoint(path)
    with pytest.raises(pickle.UnpicklingError):  # torch >= 2.6 default
        torch.load(path)
    ckpt = _load_checkpoint(path, map_location='cpu')
    assert ckpt['meta']['iter'] == 20
    assert torch.equal(ckpt['state_dict']['w'], torch.ones(2))
    buffer = ckpt['message_hub']['log_scalars']['train/loss']
    assert buffer.mean() == pytest.approx(0.375)
    assert buffer.min() == pytest.approx(0.25)


class _RunsCode:

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.makedirs, (self.marker, ))


class _ReachesAttributes:

    def __reduce__(self):
        # getattr is allowed for HistoryBuffer's statistics methods only.
        return (getattr, (np.ndarray, 'tofile'))


@pytest.mark.parametrize('payload', ['code', 'getattr'])
def test_crafted_checkpoint_is_refused(tmp_path, payload):
    marker = str(tmp_path / 'pwned')
    obj = _RunsCode(marker) if payload == 'code' else _ReachesAttributes()
    path = str(tmp_path / 'evil.pth')
    torch.save({'state_dict': {'w': torch.ones(1)}, 'x': obj}, path)
    with pytest.raises(compat.UnsafeCheckpointError,
                       match='Refused to load checkpoint .*evil.pth'):
        _load_checkpoint(path, map_location='cpu')
    assert not osp.exists(marker)


def test_missing_checkpoint_names_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        _load_checkpoint(str(tmp_path / 'nope.pth'))


# -- 3. NumPy ---------------------------------------------------------------

def test_in1d_alias_for_cityscapesscripts(tmp_path, cityscapes_root):
    a = np.array([[1, 2], [3, 4]])
    assert np.in1d(a, [2, 3]).tolist() == [False, True, True, False]
    assert np.in1d(a, [2], invert=True).tolist() == [True, False, True, True]

    # cityscapesscripts' evaluator calls np.in1d: ground truth as prediction
    # must score 100 %.
    from cityscapesscripts.evaluation import \
        evalPixelLevelSemanticLabeling as ev
    gts = sorted(
        glob.glob(osp.join(cityscapes_root, 'gtFine', 'val', '*',
                           '*_gtFine_labelIds.png')))
    args = copy.copy(ev.args)  # the module's defaults
    args.evalInstLevelScore = True
    args.quiet = True
    args.JSONOutput = False
    args.exportFile = str(tmp_path / 'results.json')
    args.cityscapesPath = cityscapes_root
    result = ev.evaluateImgLists(gts, gts, args)
    assert result['averageScoreClasses'] == pytest.approx(1.0)
    assert result['averageScoreInstClasses'] == pytest.approx(1.0)
