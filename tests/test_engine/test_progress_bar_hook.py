"""ProgressBarHook in a real mmengine Runner's test loop."""
import re

import pytest
import torch
import torch.nn as nn
from mmengine.evaluator import BaseMetric, Evaluator
from mmengine.model import BaseModel
from mmengine.runner import Runner

from glore_mmseg.engine import ProgressBarHook


class OneLayer(BaseModel):
    """The smallest model a Runner tests: predicts ``2 * input``."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.tensor(2.0))

    def forward(self, inputs, data_samples=None, mode='tensor'):
        return [dict(pred=self.scale * x) for x in inputs]


class CountMetric(BaseMetric):
    """Counts the predictions it saw."""

    def process(self, data_batch, data_samples):
        self.results.extend(data_samples)

    def compute_metrics(self, results):
        return dict(count=len(results))


def run_test_loop(tmp_path, hook, num_samples=5, batch_size=2):
    dataset = [dict(inputs=torch.tensor(float(i))) for i in range(num_samples)]
    runner = Runner(
        model=OneLayer(),
        work_dir=str(tmp_path),
        test_dataloader=dict(
            dataset=dataset,
            sampler=dict(type='DefaultSampler', shuffle=False),
            batch_size=batch_size,
            collate_fn=dict(type='default_collate')),
        test_cfg=dict(),
        test_evaluator=Evaluator(CountMetric()),
        custom_hooks=[hook],
        default_hooks=dict(logger=None),
        env_cfg=dict(dist_cfg=dict(backend='gloo')),
        log_level='WARNING')
    return runner.test()


def test_one_bar_over_the_test_batches(tmp_path, capsys):
    hook = ProgressBarHook()
    metrics = run_test_loop(tmp_path, hook)
    assert metrics == dict(count=5)
    out = capsys.readouterr().out
    # 5 samples in batches of 2: a bar of 3 steps, updated once per batch.
    counts = re.findall(r'(\d+)/(\d+), [\d.]+ task/s', out)
    assert counts == [('1', '3'), ('2', '3'), ('3', '3')]
    assert out.endswith('\n')  # the next log line starts on its own line
    assert hook._bar is None  # a later test loop starts a new bar


def test_stderr_stream(tmp_path, capsys):
    run_test_loop(tmp_path, ProgressBarHook(stream='stderr'), num_samples=2)
    captured = capsys.readouterr()
    assert '1/1, ' in captured.err and 'task/s' not in captured.out


def test_bad_stream_is_named():
    with pytest.raises(ValueError, match="stream must be 'stdout' or "
                       "'stderr', got 'file'"):
        ProgressBarHook(stream='file')
