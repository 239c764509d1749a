"""np.in1d for cityscapesscripts and mmpretrain on NumPy >= 2.4."""
import copy
import glob
import os.path as osp

import numpy as np
import pytest

from glore_mmseg.compat import numpy_in1d


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


def test_alias_only_while_a_known_caller_needs_it(monkeypatch):
    monkeypatch.setattr(np, 'in1d', numpy_in1d.in1d, raising=False)
    assert numpy_in1d.needed() is None  # NumPy has in1d
    monkeypatch.delattr(np, 'in1d')
    assert 'cityscapesscripts 2.3.0' in numpy_in1d.needed()
    # Releases after the last one known to call np.in1d turn it off.
    monkeypatch.setattr(numpy_in1d, 'CALLERS', {
        'cityscapesscripts': '2.2.99', 'mmpretrain': '1.1.0'})
    assert numpy_in1d.needed() is None
