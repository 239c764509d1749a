"""tools/cub_demo.py: the three CUB-200-2011 configs train on a synthetic
CUB from the same start (real Runner, mmpretrain's CUB class)."""
import json
import math
import os.path as osp

import pytest
import torch

from glore_mmseg.cli.cub_demo import main, parse_args


def test_three_configs_train_two_iterations_from_one_start(tmp_path):
    work_dir = str(tmp_path / 'demo')
    result = main([
        '--iters', '2', '--pretrain-iters', '2', '--num-classes', '4',
        '--train-per-class', '2', '--test-per-class', '2', '--batch-size',
        '4', '--crop-size', '32', '--work-dir', work_dir
    ])
    runs = {r['model']: r for r in result['runs']}
    assert list(runs) == ['resnet18', 'glore-res3', 'glore-res4']
    for run in runs.values():
        assert len(run['losses']) == 2
        assert all(math.isfinite(v) for v in run['losses'])
        assert run['diverged_at'] is None
        # 8 test images: top-1 is a multiple of 12.5 %
        assert run['top1'] in [12.5 * k for k in range(9)]
        assert run['lr'] == 0.01  # the configs' learning rate
    assert runs['glore-res4']['params'] - runs['resnet18']['params'] == (
        201_760)
    # Same weights, seed and batch: a zero-started unit is the identity,
    # so the first loss is the baseline's exactly; then the units learn.
    first = runs['resnet18']['losses'][0]
    assert runs['glore-res3']['losses'][0] == first
    assert runs['glore-res4']['losses'][0] == first
    assert runs['resnet18']['blocker_weight'] == {}
    (moved, ) = runs['glore-res4']['blocker_weight'].values()
    assert 0 < moved < 0.01  # it learns, from 0
    # Every run started from the pretrained backbone.
    pretrained = torch.load(osp.join(work_dir, 'pretrained_backbone.pth'))
    start = torch.load(osp.join(work_dir, 'initial_weights.pth'))
    for key, value in pretrained['state_dict'].items():
        torch.testing.assert_close(start['state_dict'][key], value)
    with open(osp.join(work_dir, 'cub_demo.json')) as f:
        assert json.load(f)['table'] == result['table']
    png = osp.join(work_dir, 'loss_curves.png')
    assert 1_000 < osp.getsize(png) < 150_000
    with open(png, 'rb') as f:
        assert f.read(8) == b'\x89PNG\r\n\x1a\n'


@pytest.mark.parametrize('argv,message', [
    (['--pretrained', 'missing.pth'], "--pretrained: no file 'missing.pth'"),
    (['--pretrained', __file__, '--pretrain-iters', '2'],
     'give --pretrained or --pretrain-iters, not both'),
    (['--iters', '0'], '--iters must be at least 1, got 0'),
])
def test_bad_options_are_named(argv, message, capsys):
    with pytest.raises(SystemExit):
        parse_args(argv)
    assert message in capsys.readouterr().err
