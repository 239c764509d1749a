import torch

from glore_mmseg.benchmarking.peak_memory import peak_rss_in_fresh_process
from tests.conftest import DEMO_CONFIG


def test_fresh_process_peak_rss_covers_the_step_and_only_it():
    # 2 GB held here must not show in the child (Linux carries a parent's
    # RSS at fork into the child's ru_maxrss).
    ballast = torch.ones(500_000_000)
    # A demo train step on 2 x 256 x 512 (3 MB of images): the activations
    # saved for backward take ~460 MB on top of the built model.
    probe = peak_rss_in_fresh_process(dict(
        what='train', config=DEMO_CONFIG, shape=[2, 256, 512],
        precision='fp32'))
    del ballast
    assert 100e6 < probe['build_rss_bytes'] < 1.5e9  # torch + mmseg
    assert probe['peak_rss_bytes'] - probe['build_rss_bytes'] > 300e6
