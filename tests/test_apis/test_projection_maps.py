import mmcv
import numpy as np
import pytest
import torch
import torch.nn as nn

from glore_mmseg.apis import (ProjectionRecorder, find_glore_units,
                              init_projection_model, model_view,
                              projection_maps)
from glore_mmseg.ops import GloReUnit
from tests.conftest import write_test_image


def random_unit(normalize):
    unit = GloReUnit(16, num_state=8, num_node=4, normalize=normalize)
    gen = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for param in unit.parameters():
            param.copy_(torch.randn(param.shape, generator=gen))
    return unit.eval()


@pytest.mark.parametrize('normalize', [False, True])
def test_maps_are_the_weights_the_unit_pools_with(normalize):
    unit = random_unit(normalize)
    model = nn.Sequential(nn.Identity(), unit)
    x = torch.randn(2, 16, 5, 6)
    with ProjectionRecorder(model) as recorder:
        out = model(x)
    assert list(recorder.maps) == ['1']
    (maps, ) = recorder.maps['1']
    assert maps.shape == (2, 4, 5, 6) and maps.dtype == torch.float32

    # conv_proj(x), written out on its weights, times 1/L (L = 30).
    weight = unit.conv_proj.weight[:, :, 0, 0]
    expected = torch.einsum('nc,bchw->bnhw', weight, x) + \
        unit.conv_proj.bias[None, :, None, None]
    if normalize:
        expected = expected / 30
    torch.testing.assert_close(maps, expected, rtol=1e-5, atol=1e-6)

    # Exactly what the unit's node pooling multiplies the state by.
    state = unit.conv_state(x).flatten(2)
    nodes = torch.bmm(state, maps.flatten(2).transpose(1, 2))
    assert torch.equal(
        nodes, unit.project(state, unit.conv_proj(x).flatten(2)))
    # The unit ran unchanged and the hooks are gone afterwards.
    assert torch.equal(out, unit(x))
    assert not unit.conv_proj._forward_hooks


def test_unit_selection_and_errors():
    model = nn.Sequential(random_unit(True), random_unit(False))
    assert list(find_glore_units(model)) == ['0', '1']
    assert list(find_glore_units(model, ['1'])) == ['1']
    with pytest.raises(ValueError, match=r"no GloRe unit named \['2'\].*"
                       r"\['0', '1'\]"):
        find_glore_units(model, ['2'])
    with pytest.raises(ValueError, match='has no GloRe unit'):
        find_glore_units(nn.Sequential(nn.Conv2d(3, 3, 1)))


@pytest.fixture(scope='module')
def segmentor(glore_segmentor):
    from mmseg.apis import init_model
    return init_model(*glore_segmentor, device='cpu')


def test_head_and_backbone_units_of_a_segmentor(segmentor, tmp_path):
    model = segmentor
    image = write_test_image(tmp_path / 'street.png')
    maps = projection_maps(model, image)
    # 64x128 image, output stride 8.
    assert {name: tuple(m.shape) for name, m in maps.items()} == {
        'backbone.glore_units.layer3_0': (256, 8, 16),
        'backbone.glore_units.layer4_0': (512, 8, 16),
        'decode_head.glore_units.0': (16, 8, 16),
        'decode_head.glore_units.1': (16, 8, 16),
    }
    # Normalised units: the maps carry the 1/L of L = 8 * 16 positions.
    head = model.decode_head.glore_units[0]
    features = {}
    handle = head.register_forward_pre_hook(
        lambda module, args: features.setdefault('x', args[0]))
    projection_maps(model, image, ['decode_head.glore_units.0'])
    handle.remove()
    expected = head.conv_proj(features['x'])[0] / (8 * 16)
    torch.testing.assert_close(
        maps['decode_head.glore_units.0'], expected, rtol=1e-4, atol=1e-7)
    assert maps['decode_head.glore_units.0'].std() > 0


def test_sliding_window_inference_is_refused(segmentor, tmp_path):
    from mmengine.config import ConfigDict
    image = write_test_image(tmp_path / 'street.png')
    whole = segmentor.test_cfg
    segmentor.test_cfg = ConfigDict(
        mode='slide', crop_size=(32, 64), stride=(32, 64))
    try:
        with pytest.raises(ValueError, match="whole-image.*mode is 'slide'"):
            projection_maps(segmentor, image, ['decode_head.glore_units.0'])
    finally:
        segmentor.test_cfg = whole


@pytest.fixture(scope='module')
def classifier(glore_classifier):
    return init_projection_model(*glore_classifier)


def test_backbone_units_of_a_classifier(classifier, tmp_path):
    image = write_test_image(tmp_path / 'bird.png')  # 64x128
    maps = projection_maps(classifier, image)
    # mmpretrain's test pipeline: short edge 48, centre crop 48x48. Res3
    # (layer2) at stride 8, Res4 (layer3) at 16; N = the stage's bottleneck
    # width.
    assert {name: tuple(m.shape) for name, m in maps.items()} == {
        'backbone.glore_units.layer2_0': (16, 6, 6),
        'backbone.glore_units.layer3_0': (32, 3, 3),
    }
    # The image the maps cover is mmpretrain's view of it: resized to a
    # short edge of 48 (bilinear, as ResizeEdge), the centre 48x48, RGB.
    bgr = mmcv.imread(image)
    resized = mmcv.imresize(bgr, (96, 48), interpolation='bilinear')
    view = model_view(classifier, image)
    assert view.dtype == np.uint8
    np.testing.assert_array_equal(view, resized[:, 24:72, ::-1])

    # The maps are conv_proj of what the unit saw, without 1/L (the
    # classifier's units do not normalise, as the official ImageNet unit).
    unit = classifier.backbone.glore_units['layer3_0']
    assert not unit.normalize
    features = {}
    handle = unit.register_forward_pre_hook(
        lambda module, args: features.setdefault('x', args[0]))
    only = projection_maps(classifier, image,
                           ['backbone.glore_units.layer3_0'])
    handle.remove()
    assert list(only) == ['backbone.glore_units.layer3_0']
    with torch.no_grad():
        expected = unit.conv_proj(features['x'])[0]
    torch.testing.assert_close(
        maps['backbone.glore_units.layer3_0'], expected, rtol=1e-4,
        atol=1e-6)
    assert expected.std() > 0
    # ... and the classifier saw the view through its data preprocessor:
    # RGB, (x - mean) / std (the config's ImageNet statistics).
    pre = classifier.data_preprocessor
    inputs = torch.from_numpy(view.copy()).permute(2, 0, 1)[None].float()
    with torch.no_grad(), ProjectionRecorder(classifier) as recorder:
        classifier.extract_feat((inputs - pre.mean) / pre.std)
    for name, (direct, ) in recorder.maps.items():
        torch.testing.assert_close(maps[name], direct[0])


def test_classifier_without_its_config_is_refused(classifier, tmp_path):
    image = write_test_image(tmp_path / 'bird.png')
    config = classifier._config
    classifier._config = None
    try:
        with pytest.raises(ValueError, match='no _config.*get_model'):
            projection_maps(classifier, image)
    finally:
        classifier._config = config
