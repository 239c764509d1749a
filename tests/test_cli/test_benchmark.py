import json
import re

from tests.conftest import run_python


def test_flop_counts_on_meta_device():
    result = run_python(['tools/benchmark.py', '--flops'])
    assert result.returncode == 0, result.stderr[-3000:]
    rows = dict(
        (name, (float(train), float(infer))) for name, train, infer in
        re.findall(r'\| (\w+) \| ([\d.]+) \| ([\d.]+) \|', result.stdout))
    # Stock FCN R50-D8 train step: 2.49 TFLOP per 512x1024 image (torch's
    # FlopCounterMode, which counts the same on a GPU run).
    assert abs(rows['FCN'][0] - 2.49) < 0.01
    # The official GloRe head has no FCN concat conv: fewer FLOPs than FCN,
    # far fewer than NonLocal, in training and whole-image inference.
    assert rows['GloRe'][0] < 0.8 * rows['FCN'][0]
    assert rows['GloRe'][1] < 0.6 * rows['NonLocal'][1]


def test_heads_interleaved_with_peak_memory(tmp_path):
    out = tmp_path / 'heads.json'
    result = run_python([
        'tools/benchmark.py', '--device', 'cpu', '--heads', '--models',
        'GloRe', 'NonLocal', '--head-shape', '1', '2048', '16', '32',
        '--warmup', '1', '--rounds', '3', '--memory', '--out', str(out)])
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report['device'] == 'CPU'
    rows = {row['model']: row for row in report['results']}
    assert set(rows) == {'GloRe', 'NonLocal'}
    for row in rows.values():
        assert row['step'] == 'head' and row['precision'] == 'fp32'
        assert 0 < row['min_ms'] <= row['median_ms']
        assert row['spread'] >= 0
        # A fresh process holds torch and mmseg: hundreds of MB at least.
        assert 0.2 < row['peak_gb'] < 20
        assert 0 <= row['step_gb'] < row['peak_gb']
        assert row['memory'] == 'peak RSS, fresh process'
    assert 'GloRe median_ms / other' in result.stdout
