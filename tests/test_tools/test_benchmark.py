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
