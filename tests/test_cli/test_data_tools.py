"""tools/build_decoded_cache.py and tools/benchmark_data.py, run as users
run them."""
import glob
import json
import os.path as osp
import shutil

import numpy as np
import pytest

from tests.conftest import build_transform, load_tool, run_python, train_infos


def test_build_decoded_cache(tmp_path, cityscapes_root, capsys):
    root = str(tmp_path / 'cityscapes')
    shutil.copytree(cityscapes_root, root)
    result = run_python(['tools/build_decoded_cache.py', root])
    assert result.returncode == 0, result.stderr[-2000:]
    assert '12/12' in result.stdout  # the progress bar
    assert '12 decoded and cached' in result.stdout
    assert len(glob.glob(osp.join(root, '*', 'train', '*', '*.npy'))) == 12
    assert not glob.glob(osp.join(root, '*', 'val', '*', '*.npy'))
    stock = build_transform(dict(type='LoadImageFromFile'))
    for info in train_infos(root):
        cached = np.load(info['img_path'][:-len('.png')] + '.npy')
        assert np.array_equal(cached, stock(dict(info))['img'])
    # the same tool in-process (a second interpreter start costs ~10 s);
    # a write a kill interrupted left a partial file: cleaned up.
    partial = glob.glob(osp.join(root, '*', 'train', '*', '*.npy'))[0]
    shutil.copyfile(partial, partial + '.tmp.npy')
    tool = load_tool('build_decoded_cache')
    tool.main([root])
    assert '0 decoded and cached (0.00 GB), 12 already cached' in \
        capsys.readouterr().out
    assert not glob.glob(osp.join(root, '**', '*.tmp*'), recursive=True)
    with pytest.raises(SystemExit, match='no .*_gtFine_labelTrainIds.png'):
        tool.main([root, '--splits', 'test'])


def test_benchmark_data_smoke(tmp_path):
    out = str(tmp_path / 'bench.json')
    result = run_python([
        'tools/benchmark_data.py', '--work-dir',
        str(tmp_path), '--images', '2', '--image-size', '256', '128',
        '--rounds', '1', '--repeats', '1', '--workers', '1', '--batches',
        '1', '--out', out
    ])
    assert result.returncode == 0, result.stderr[-3000:]
    table = result.stdout[result.stdout.index('| transform |'):]
    for row in ('| load image |', '| resize + crop (fused) | - |',
                '| **total** |', '| img/s per core |',
                '| loader img/s, 1 worker(s) |', 'PNG decode only'):
        assert row in table, row
    with open(out) as f:
        results = json.load(f)['results']
    variants = {r['variant']: r for r in results if 'variant' in r}
    assert set(variants) == {'stock', 'fast (PNG)', 'fast (cache)'}
    for r in variants.values():
        assert r['total_ms'] == sum(r['ms_per_transform'].values()) > 0
        assert r['loader_img_per_s']['1'] > 0
