import subprocess
import sys

import torch
from mmengine.registry import MODELS as ROOT_MODELS
from mmseg.registry import MODELS

from glore_mmseg.models import GloRePlugin
from glore_mmseg.ops import GloReUnit

PLUGIN = dict(
    cfg=dict(type='GloReUnit', normalize=True),
    stages=(False, False, True, False),
    position='after_conv3')


def test_registered_in_root_registry_with_norm_cfg():
    unit = ROOT_MODELS.build(
        dict(type='GloReUnit', in_channels=32,
             norm_cfg=dict(type='GN', num_groups=4)))
    assert isinstance(unit, GloRePlugin)
    assert isinstance(unit.blocker, torch.nn.GroupNorm)
    # Same keys as the official unit whatever the norm.
    assert {k.split('.')[0] for k in unit.state_dict()} == {
        'conv_state', 'conv_proj', 'gcn', 'conv_extend', 'blocker'}


def test_mmseg_resnet_plugin_keeps_zero_init():
    backbone = MODELS.build(
        dict(type='ResNetV1c', depth=50, plugins=[PLUGIN]))
    units = [m for m in backbone.modules() if isinstance(m, GloRePlugin)]
    assert len(units) == 6  # every bottleneck of stage 3 (Res4)
    assert units[0].in_channels == 1024
    backbone.init_weights()  # ResNet sets every BN weight to 1 ...
    for unit in units:  # ... and the unit's own init_weights runs after it
        assert torch.count_nonzero(unit.blocker.weight) == 0
    x = torch.randn(1, 3, 64, 64)
    assert len(backbone(x)) == 4


def test_plugin_found_without_default_scope():
    # build_plugin_layer looks types up from the current scope; a plugin in
    # mmseg's registry alone fails with no scope, the root one works.
    code = ('import glore_mmseg\n'
            'from mmengine.registry import DefaultScope\n'
            'assert DefaultScope.get_current_instance() is None\n'
            'from mmseg.models.backbones import ResNetV1c\n'
            f'net = ResNetV1c(depth=50, plugins=[{PLUGIN!r}])\n'
            'print(sum(type(m).__name__ == "GloRePlugin" '
            'for m in net.modules()))\n')
    result = subprocess.run([sys.executable, '-c', code],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith('6')


def test_plugin_defaults_to_1_over_l_unlike_the_plain_unit():
    plugin = ROOT_MODELS.build(dict(type='GloReUnit', in_channels=32))
    assert plugin.normalize is True
    assert GloReUnit(32).normalize is False
    # With 1/L, a 2x2 tiling of a map gives the same node features as the
    # map, so the same output on each tile (zero_init=False: not the
    # identity). Without 1/L the nodes would be 4x larger.
    plugin = ROOT_MODELS.build(
        dict(type='GloReUnit', in_channels=8, zero_init=False)).eval()
    tile = torch.randn(1, 8, 4, 4)
    torch.testing.assert_close(
        plugin(tile.repeat(1, 1, 2, 2))[..., :4, :4], plugin(tile))
