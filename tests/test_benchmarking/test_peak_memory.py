from glore_mmseg.benchmarking.peak_memory import peak_rss_in_fresh_process
from tests.conftest import DEMO_CONFIG


def test_fresh_process_peak_rss_covers_the_step():
    # Demo GloRe head (512 input channels) on a 1 x 512 x 256 x 256 map:
    # the input alone is 134 MB, the head's activations several times that.
    probe = peak_rss_in_fresh_process(dict(
        what='head_inference', config=DEMO_CONFIG,
        shape=[1, 512, 256, 256], precision='fp32'))
    assert probe['build_rss_bytes'] > 100e6  # torch + mmseg imported
    assert probe['peak_rss_bytes'] - probe['build_rss_bytes'] > 300e6
