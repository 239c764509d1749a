"""The graph's RGB 0-255 input reproduces the data preprocessors."""
import pytest
import torch

from glore_mmseg.deploy import ImageNormalization


@pytest.mark.parametrize('scope,options', [
    ('mmseg', dict(type='SegDataPreProcessor', bgr_to_rgb=True)),
    ('mmseg', dict(type='SegDataPreProcessor', bgr_to_rgb=False)),
    ('mmpretrain', dict(type='ClsDataPreprocessor', to_rgb=True)),
    ('mmpretrain', dict(type='ClsDataPreprocessor', to_rgb=False)),
])
def test_rgb_input_equals_the_preprocessor_on_bgr(scope, options):
    from mmengine.registry import init_default_scope
    if scope == 'mmseg':
        from mmseg.registry import MODELS
    else:
        from mmpretrain.registry import MODELS
    init_default_scope(scope)
    preprocessor = MODELS.build(
        dict(options, mean=[10., 20., 30.], std=[2., 4., 8.]))
    bgr = torch.randint(0, 256, (3, 8, 10), dtype=torch.uint8)
    data = dict(inputs=[bgr], data_samples=None)
    if scope == 'mmseg':
        from mmseg.structures import SegDataSample
        data['data_samples'] = [SegDataSample()]
    expected = preprocessor(data)['inputs']
    rgb = bgr.flip(0)[None].float()
    normalization = ImageNormalization.from_data_preprocessor(preprocessor)
    torch.testing.assert_close(normalization(rgb), expected)


def test_without_normalisation_only_the_channel_order():
    normalization = ImageNormalization(None, None, network_takes_rgb=False)
    rgb = torch.rand(1, 3, 4, 4) * 255
    torch.testing.assert_close(normalization(rgb), rgb.flip(1))
