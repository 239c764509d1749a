import pytest
from torch.fx.experimental import _config as fx_config

from glore_mmseg.benchmarking.flops import count_flops, meta_nonzero_assumed
from tests.conftest import DEMO_CONFIG


def test_meta_flag_is_restored_even_on_error():
    assert fx_config.meta_nonzero_assume_all_nonzero is False
    with pytest.raises(KeyError):
        with meta_nonzero_assumed():
            assert fx_config.meta_nonzero_assume_all_nonzero is True
            raise KeyError('inside')
    assert fx_config.meta_nonzero_assume_all_nonzero is False


def test_counting_flops_leaves_torch_flags_as_they_were():
    flops = count_flops(DEMO_CONFIG, (2, 64, 128), (64, 128))
    assert fx_config.meta_nonzero_assume_all_nonzero is False
    # Backward costs about twice the forward: a train step per image is
    # roughly 3x one inference of the same size.
    assert 2.5 < flops['train_tflop_per_img'] / flops['infer_tflop'] < 3.5
