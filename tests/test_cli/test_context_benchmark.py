"""tools/context_benchmark.py end to end, a few iterations per model."""
import json
import os.path as osp

import pytest

from tests.conftest import load_tool


@pytest.fixture(scope='module')
def tool():
    return load_tool('context_benchmark')


def test_two_models_two_seeds(tool, tmp_path, capsys):
    work_dir = str(tmp_path / 'bench')
    result = tool.main([
        '--models', 'fcn', 'glore', '--seeds', '0', '1', '--iters', '3',
        '--num-train', '4', '--num-val', '2', '--work-dir', work_dir
    ])
    with open(osp.join(work_dir, 'context_benchmark.json')) as f:
        written = json.load(f)
    assert written == json.loads(json.dumps(result))
    assert written['settings']['iters'] == 3
    runs = written['runs']
    assert [(r['config'].split('_')[0], r['seed']) for r in runs] == [
        ('fcn', 0), ('glore', 0), ('fcn', 1), ('glore', 1)
    ]
    for run in runs:
        assert run['iters'] == 3 and run['ms_per_iter'] > 0
        assert 0 <= run['subset_acc'] <= 100
        assert osp.isfile(run['checkpoint'])
    fcn_runs = [r for r in runs if r['config'].startswith('fcn')]
    glore_runs = [r for r in runs if r['config'].startswith('glore')]
    # FCN's logits at the squares never depend on the band
    assert all(r['cue_gradient'] == 0.0 for r in fcn_runs)
    assert all('node_shares' not in r for r in fcn_runs)
    shares = glore_runs[0]['node_shares']['decode_head.glore_units.0']
    assert len(shares['band']) == len(shares['squares']) == 16
    assert all(0 <= s <= 1 for s in shares['band'] + shares['squares'])
    # the seeds train different models
    assert glore_runs[0]['params'] == glore_runs[1]['params']
    summary = written['summary']
    assert list(summary) == [runs[0]['config'], runs[1]['config']]
    assert summary[runs[1]['config']]['subset_acc']['values'] == [
        r['subset_acc'] for r in glore_runs
    ]
    assert 0 < written['local_ceiling'] < 100
    out = capsys.readouterr().out
    assert written['table'] in out
    assert '| FCN |' in out and '| GloRe |' in out
    assert 'tools/visualize_projection.py' in out

    # a second run never writes into an earlier one's data
    with pytest.raises(SystemExit, match='exists'):
        tool.main(['--iters', '1', '--work-dir', work_dir])
