"""tools/gpu_check.sh --smoke: the GPU check's code on the CPU."""
import json
import subprocess

from tests.conftest import REPO


def test_smoke_run_prints_and_writes_every_check(tmp_path):
    out = tmp_path / 'gpu_check.json'
    result = subprocess.run(
        ['bash', 'tools/gpu_check.sh', '--smoke', '--out', str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert '| check | model |' in result.stdout
    report = json.loads(out.read_text())
    assert report['device'] == 'CPU'
    rows = report['results']
    train = {r['model']: r for r in rows if r['check'] == 'train bf16'}
    assert set(train) == {'GloRe', 'FCN', 'NonLocal'}
    assert all(r['img_per_s'] > 0 for r in train.values())
    curves = [r for r in rows if r['check'].startswith('loss curve')]
    assert [r['precision'] for r in curves] == ['fp32', 'bf16']
    assert all(len(r['curve']) == 3 for r in curves)
    # Same weights, same batch: bf16 starts within bf16 rounding of fp32.
    assert abs(curves[0]['first_loss'] - curves[1]['first_loss']) < 0.05
    inference = [r for r in rows if r['check'].startswith('inference')]
    assert [r['precision'] for r in inference] == ['fp32', 'bf16']
