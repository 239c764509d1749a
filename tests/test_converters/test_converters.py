"""Converters, each on a state dict built here with the official naming."""
from collections import OrderedDict

import pytest
import torch
import torchvision

from glore_mmseg.converters import (convert_3gnet, convert_glore_network,
                                    convert_glore_unit, convert_gsopnet)
from glore_mmseg.ops import GloReUnit
from tests.conftest import REPO, build_classifier, load_tool, run_python

STAGES = {'layer1': (256, 2), 'layer2': (512, 3), 'layer3': (1024, 5),
          'layer4': (2048, 2)}  # output channels, index of the last block


def bn(prefix, channels):
    return {
        f'{prefix}.weight': torch.rand(channels),
        f'{prefix}.bias': torch.randn(channels),
        f'{prefix}.running_mean': torch.randn(channels),
        f'{prefix}.running_var': torch.rand(channels) + 0.5,
        f'{prefix}.num_batches_tracked': torch.tensor(7),
    }


def official_gsop_block(prefix, c, d=128):
    """Official GSoP-Net channel-attention parameters of one bottleneck."""
    state = {
        f'{prefix}.conv_for_DR.weight': torch.randn(d, c, 1, 1),
        f'{prefix}.conv_for_DR.bias': torch.randn(d),
        f'{prefix}.row_conv_group.weight': torch.randn(4 * d, 1, d, 1),
        f'{prefix}.row_conv_group.bias': torch.randn(4 * d),
        f'{prefix}.fc_adapt_channels.weight': torch.randn(c, 4 * d, 1, 1),
        f'{prefix}.fc_adapt_channels.bias': torch.randn(c),
    }
    state.update(bn(f'{prefix}.bn_for_DR', d))
    state.update(bn(f'{prefix}.row_bn', d))
    return state


def torchvision_resnet50_state(num_classes=1000):
    torch.manual_seed(0)
    return torchvision.models.resnet50(num_classes=num_classes).state_dict()


def test_torchvision_names_give_the_same_network():
    torch.manual_seed(0)
    reference = torchvision.models.resnet50().eval()
    converted, unmatched = convert_gsopnet(reference.state_dict())
    assert not unmatched
    model = build_classifier(dict(type='ResNet'))
    model.load_state_dict(converted, strict=True)
    model.eval()
    x = torch.randn(2, 3, 64, 64)
    torch.testing.assert_close(model(x), reference(x), rtol=1e-4,
                               atol=1e-4)


def gsopnet2_official(net2=True):
    official = torchvision_resnet50_state()
    for stage, (c, last) in STAGES.items():
        if net2 and stage == 'layer4':
            continue
        official.update(official_gsop_block(f'{stage}.{last}', c))
    if net2:
        official['layer_reduce.weight'] = torch.randn(256, 2048, 1, 1)
        official.update(bn('layer_reduce_bn', 256))
        official['fc.weight'] = torch.randn(1000, 32896) * 0.01
    return official


def test_gsopnet1_loads_strictly_and_every_tensor_lands_in_place():
    official = gsopnet2_official(net2=False)
    converted, unmatched = convert_gsopnet(official)
    assert not unmatched
    model = build_classifier(dict(type='GSoPResNet', strides=(1, 2, 2, 1)))
    model.load_state_dict(converted, strict=True)
    block = model.backbone.gsop_blocks['layer3']
    pairs = {
        'layer3.5.conv_for_DR.weight': block.channel_reduce[1].weight,
        'layer3.5.bn_for_DR.running_var': block.channel_reduce[2].running_var,
        'layer3.5.row_bn.bias': block.channel_head.row_norm.bias,
        'layer3.5.row_conv_group.weight': block.channel_head.row_conv.weight,
        'layer3.5.fc_adapt_channels.bias': block.channel_head.fc.bias,
        'layer3.5.conv3.weight': model.backbone.layer3[5].conv3.weight,
        'fc.weight': model.head.fc.weight,
    }
    for key, param in pairs.items():
        assert torch.equal(official[key], param), key


def test_gsopnet2_and_its_triangle_order():
    official = gsopnet2_official()
    converted, unmatched = convert_gsopnet(official)
    assert not unmatched
    net2 = dict(type='GSoPResNet', strides=(1, 2, 2, 1),
                gsop_stages=(True, True, True, False))
    column = build_classifier(net2, dict(type='ISQRTCovNeck'), 32896)
    column.load_state_dict(converted, strict=True)
    assert torch.equal(column.neck.pooling.reduce[0].weight,
                       official['layer_reduce.weight'])

    reordered, _ = convert_gsopnet(official, triangle_order='row')
    row = build_classifier(
        net2, dict(type='ISQRTCovNeck', triangle_order='row'), 32896)
    row.load_state_dict(reordered, strict=True)
    assert not torch.equal(reordered['head.fc.weight'], official['fc.weight'])
    column.eval()
    row.eval()
    x = torch.randn(2, 3, 64, 64)
    # Same sum over 32,896 terms in another order: float32 rounding only.
    torch.testing.assert_close(row(x), column(x), rtol=1e-3, atol=1e-3)


def official_3g_state():
    official = torchvision_resnet50_state()
    official['layer_reduce.weight'] = torch.randn(256, 2048, 1, 1)
    official.update(bn('layer_reduce_bn', 256))
    for k in (1, 2, 3):
        for name in ('map1', 'map2', 'map21', 'map3', 'map4'):
            official[f'AtMp{k}.{name}.weight'] = torch.randn(256, 256, 1, 1)
        for name in ('bn1', 'bn2', 'bn21', 'bn3', 'bn4'):
            official.update(bn(f'AtMp{k}.{name}', 256))
        official[f'AtMp{k}.atmap1.weight'] = torch.randn(64, 256, 1, 1)
        official.update(bn(f'AtMp{k}.bnat1', 64))
        official[f'AtMp{k}.atmap2.weight'] = torch.randn(1, 64, 1, 1)
        official[f'AtMp{k}.atmap3.weight'] = torch.randn(1, 1, 1, 1)
    official['fc.weight'] = torch.randn(1000, 32896)
    return official


def test_3gnet_loads_strictly():
    official = official_3g_state()
    converted, unmatched = convert_3gnet(official)
    assert not unmatched
    model = build_classifier(
        dict(type='ResNet', strides=(1, 2, 2, 1)),
        dict(type='GeneralizedGaussianCovNeck'), 32896)
    model.load_state_dict(converted, strict=True)
    module = model.neck.pooling.reweighting[1]
    assert torch.equal(module.input_branch[0].weight,
                       official['AtMp2.map21.weight'])
    assert torch.equal(module.score_hidden[1].running_mean,
                       official['AtMp2.bnat1.running_mean'])
    assert torch.equal(module.score_scale.weight,
                       official['AtMp2.atmap3.weight'])


def official_glore_unit(prefix, c, mid, kernel=(1, 1, 1)):
    s, n = 2 * mid, mid
    state = OrderedDict({
        f'{prefix}conv_state.weight': torch.randn(s, c, *kernel),
        f'{prefix}conv_state.bias': torch.randn(s),
        f'{prefix}conv_proj.weight': torch.randn(n, c, *kernel),
        f'{prefix}conv_proj.bias': torch.randn(n),
        f'{prefix}gcn.conv1.weight': torch.randn(n, n, 1),
        f'{prefix}gcn.conv1.bias': torch.randn(n),
        f'{prefix}gcn.conv2.weight': torch.randn(s, s, 1),
        f'{prefix}conv_extend.weight': torch.randn(c, s, *kernel),
    })
    state.update(bn(f'{prefix}blocker', c))
    return state


def test_official_glore_unit_and_network():
    unit_state = official_glore_unit('', 64, 16)  # a 3D unit's kernels
    unit = GloReUnit(64, num_state=32, num_node=16)
    unit.load_state_dict(convert_glore_unit(unit_state), strict=True)
    assert unit.conv_state.weight.shape == (32, 64, 1, 1)

    official = OrderedDict({
        'conv3.B01.conv_m1.conv.weight': torch.randn(128, 256, 3, 1, 1)
    })
    for block in (1, 3):
        official.update(official_glore_unit(f'conv3.B{block:02d}_extra.',
                                            512, 128))
    for block in (1, 3, 5):
        official.update(official_glore_unit(f'conv4.B{block:02d}_extra.',
                                            1024, 256))
    converted, unmatched = convert_glore_network(official)
    assert unmatched == ['conv3.B01.conv_m1.conv.weight']
    model = build_classifier(
        dict(type='GloReResNet', glore_units=(0, 2, 3, 0)))
    missing, unexpected = model.load_state_dict(converted, strict=False)
    assert not unexpected
    assert not [k for k in missing if 'glore_units' in k]
    assert torch.equal(
        model.backbone.glore_units['layer3_4'].conv_extend.weight,
        official['conv4.B05_extra.conv_extend.weight'].view(1024, 512, 1, 1))


def test_convert_tool_checks_against_the_config(tmp_path):
    src = tmp_path / 'official.pth.tar'
    torch.save(dict(epoch=65, state_dict=OrderedDict(
        ('module.' + k, v) for k, v in gsopnet2_official().items())), src)
    dst = tmp_path / 'converted.pth'
    config = f'{REPO}/configs/gsopnet/gsopnet2_resnet50_8xb32-65e_in1k.py'
    args = ['tools/convert_official_weights.py', 'gsopnet', str(src),
            str(dst), '--config', config]
    result = run_python(args)
    assert result.returncode == 0, result.stderr[-2000:]
    assert '(0 official tensors not converted)' in result.stdout
    saved = torch.load(dst, weights_only=True)
    assert saved['meta']['converter'] == 'gsopnet'
    from mmpretrain.datasets import ImageNet
    classes = saved['meta']['dataset_meta']['classes']
    assert len(classes) == 1000
    assert tuple(classes) == tuple(ImageNet.METAINFO['classes'])
    assert 'backbone.gsop_blocks.layer3.channel_head.fc.bias' in \
        saved['state_dict']

    again = run_python(args)
    assert again.returncode != 0 and 'pass --overwrite' in again.stderr

    wrong = run_python([
        'tools/convert_official_weights.py', 'gsopnet', str(src),
        str(tmp_path / 'x.pth'), '--config',
        f'{REPO}/configs/3gnet/3gnet_resnet50_8xb32-115e_in1k.py'
    ])
    assert wrong.returncode != 0
    assert 'do not fit' in wrong.stderr
    assert 'missing in the checkpoint: neck.pooling.reweighting.0' in \
        wrong.stderr
    assert not (tmp_path / 'x.pth').exists()


@pytest.mark.parametrize('kind', ['gsopnet', '3gnet', 'glore'])
def test_convert_tool_refuses_unrelated_weights(tmp_path, kind):
    src = tmp_path / 'other.pth'
    torch.save({'encoder.weight': torch.ones(2)}, src)
    result = run_python(['tools/convert_official_weights.py', kind,
                         str(src), str(tmp_path / 'out.pth')])
    assert result.returncode != 0
    assert f'no {kind} parameter found' in result.stderr


@pytest.mark.parametrize('kind', ['gsopnet', '3gnet'])
def test_convert_tool_refuses_a_plain_resnet(tmp_path, kind):
    src, dst = tmp_path / 'resnet50.pth', tmp_path / 'out.pth'
    torch.save(torchvision_resnet50_state(), src)
    with pytest.raises(SystemExit, match=f'none of the {kind} layers'):
        load_tool('convert_official_weights').main([kind, str(src), str(dst)])
    assert not dst.exists()


def test_convert_tool_reports_a_head_shape_mismatch(tmp_path):
    official = gsopnet2_official()
    official['fc.weight'] = official['fc.weight'][:10]
    official['fc.bias'] = official['fc.bias'][:10]
    src, dst = tmp_path / 'official.pth', tmp_path / 'out.pth'
    torch.save(official, src)
    config = f'{REPO}/configs/gsopnet/gsopnet2_resnet50_8xb32-65e_in1k.py'
    with pytest.raises(SystemExit) as err:
        load_tool('convert_official_weights').main(
            ['gsopnet', str(src), str(dst), '--config', config])
    assert '(2 problems)' in str(err.value)
    assert ('shape mismatch: head.fc.weight: checkpoint (10, 32896) vs '
            'model (1000, 32896)') in str(err.value)
    assert not dst.exists()


def test_convert_tool_names_a_file_that_is_no_checkpoint(tmp_path):
    src = tmp_path / 'GSoP-Net2.pth.tar'
    src.write_text('404 Not Found')
    with pytest.raises(SystemExit,
                       match='Net2.pth.tar.* is not a PyTorch checkpoint'):
        load_tool('convert_official_weights').main(
            ['gsopnet', str(src), str(tmp_path / 'out.pth')])
