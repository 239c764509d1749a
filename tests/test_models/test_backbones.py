"""GloRe / GSoP ResNets (mmpretrain and mmseg) and the necks: placement,
identity at init, the papers' parameter counts."""
import copy

import pytest
import torch
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS as PRETRAIN_MODELS
from mmseg.registry import MODELS as SEG_MODELS

from glore_mmseg.models.backbones.resnet_extras import (unit_positions,
                                                        unit_sizes)
from tests.conftest import build_classifier


def millions(model):
    return sum(p.numel() for p in model.parameters()) / 1e6


GLORE = dict(type='GloReResNet')
GSOP = dict(type='GSoPResNet', strides=(1, 2, 2, 1))
COV_HEAD = dict(in_channels=32896)


@pytest.mark.parametrize('name,backbone,neck,exact,paper', [
    ('ResNet-50', dict(type='ResNet'), None, 25.557032, 25.6),
    ('R50 + 3 GloRe in Res4', dict(GLORE, glore_units=(0, 0, 3, 0)), None,
     30.481448, 30.5),
    ('R50 GSoP-Net1 channel', GSOP, None, 28.285224, 28.29),
    ('R50 GSoP-Net2', dict(GSOP, gsop_stages=(True, True, True, False)),
     dict(type='ISQRTCovNeck'), 58.278568, 58.28),
    ('R50-3G', dict(type='ResNet', strides=(1, 2, 2, 1)),
     dict(type='GeneralizedGaussianCovNeck'), 57.970283, 57.97),
])
def test_parameter_counts_match_the_papers(name, backbone, neck, exact,
                                           paper):
    in_channels = 32896 if neck else 2048
    model = build_classifier(backbone, neck, in_channels)
    assert millions(model) == pytest.approx(exact, abs=1e-6), name
    assert millions(model) == pytest.approx(paper, abs=0.05), name


def test_glore_res3_res4_count_is_the_official_units_arithmetic():
    # Paper Table 2 prints 31.4 M for "+2 in Res3, +3 in Res4". The
    # official unit (num_mid = stage width) adds 2 x 411,136 parameters in
    # Res3 to the 30.48 M model: 31.30 M. No placement of official units
    # gives 31.4 M; we follow the official code (see README).
    res4 = build_classifier(dict(GLORE, glore_units=(0, 0, 3, 0)))
    both = build_classifier(dict(GLORE, glore_units=(0, 2, 3, 0)))
    unit = 5 * 128**2 + 2564 * 128 + 1024  # C=512, S=256, N=128
    assert unit == 411_136
    assert (millions(both) - millions(res4)) * 1e6 == pytest.approx(2 * unit)
    assert millions(both) == pytest.approx(31.303720, abs=1e-6)


def test_units_sit_after_the_official_blocks():
    model = build_classifier(dict(GLORE, glore_units=(0, 2, 3, 0))).backbone
    assert list(model.glore_units) == [
        'layer2_0', 'layer2_2', 'layer3_0', 'layer3_2', 'layer3_4'
    ]
    unit = model.glore_units['layer3_2']
    assert (unit.num_state, unit.num_node) == (512, 256)
    assert unit.blocker.eps == 1e-4
    explicit = build_classifier(dict(GLORE, glore_units=((), (), (1, 5), ())))
    assert list(explicit.backbone.glore_units) == ['layer3_1', 'layer3_5']


def test_position_errors_name_the_stage():
    with pytest.raises(ValueError, match=r'glore_units\[1\] = 3 .*stage 1 '
                       r'has 4 blocks'):
        unit_positions((0, 3, 0, 0), (3, 4, 6, 3))
    with pytest.raises(ValueError, match='one entry per stage'):
        unit_positions((0, 3), (3, 4, 6, 3))


def glore_unit_params(channels, states, nodes):
    """Parameters of one official GloRe unit (C channels, S, N)."""
    return ((channels + 1) * states + (channels + 1) * nodes +
            (nodes + 1) * nodes + states**2 + states * channels +
            2 * channels)


@pytest.mark.parametrize('depth', [18, 34])
def test_basic_block_resnets_take_units_of_their_widths(depth):
    torch.manual_seed(0)
    plain = build_classifier(
        dict(type='ResNet', depth=depth), in_channels=512)
    model = build_classifier(
        dict(GLORE, depth=depth, glore_units=(1, 1, 1, 1)), in_channels=512)
    model.init_weights()
    units = model.backbone.glore_units
    # BasicBlock: the block width is its output width (Bottleneck: 1/4).
    assert {k: (u.in_channels, u.num_state, u.num_node)
            for k, u in units.items()} == {
                'layer1_0': (64, 128, 64), 'layer2_0': (128, 256, 128),
                'layer3_0': (256, 512, 256), 'layer4_0': (512, 1024, 512)}
    assert millions(model) - millions(plain) == pytest.approx(
        sum(glore_unit_params(c, 2 * c, c) for c in (64, 128, 256, 512)) /
        1e6)
    model.load_state_dict(plain.state_dict(), strict=False)
    model.eval()
    plain.eval()
    x = torch.randn(2, 3, 64, 64)
    torch.testing.assert_close(model(x), plain(x))  # zero-started units
    model.train()
    model(x).sum().backward()
    assert units['layer4_0'].blocker.weight.grad.abs().sum() > 0


def test_unit_sizes_per_stage_and_per_unit():
    model = build_classifier(
        dict(GLORE, glore_units=(0, 2, 3, 0),
             glore_num_nodes=(None, 32, (16, 24, 40), None),
             glore_num_states=64)).backbone
    sizes = {k: (u.num_state, u.num_node)
             for k, u in model.glore_units.items()}
    assert sizes == {'layer2_0': (64, 32), 'layer2_2': (64, 32),
                     'layer3_0': (64, 16), 'layer3_2': (64, 24),
                     'layer3_4': (64, 40)}
    assert sum(p.numel() for p in model.glore_units.parameters()) == sum(
        glore_unit_params(c, 64, n) for c, n in
        ((512, 32), (512, 32), (1024, 16), (1024, 24), (1024, 40)))
    assert model(torch.randn(1, 3, 64, 64))[-1].shape == (1, 2048, 2, 2)
    # Explicit defaults build the default network.
    default = build_classifier(dict(GLORE, glore_units=(0, 2, 3, 0)))
    explicit = build_classifier(
        dict(GLORE, glore_units=(0, 2, 3, 0),
             glore_num_nodes=(None, ) * 4, glore_num_states=None))
    assert {k: v.shape for k, v in default.state_dict().items()} == {
        k: v.shape for k, v in explicit.state_dict().items()}


@pytest.mark.parametrize('spec,message', [
    ((None, 16), r'glore_num_nodes needs one entry per stage \(4\), got 2'),
    ((16, None, 16, None), r'glore_num_nodes\[0\] = 16, but stage 0 has '
     r'no GloRe units'),
    ((None, None, (16, 32), None), r'glore_num_nodes\[2\] = \(16, 32\) '
     r'gives 2 sizes, but stage 2 has 3 GloRe units \(after blocks '
     r'\[0, 2, 4\]\)'),
    ((None, None, (16, 0, 8), None), r'glore_num_nodes\[2\]\[1\] must be a '
     r'positive integer, got 0'),
    (0, 'glore_num_nodes must be a positive integer, got 0'),
    (True, 'glore_num_nodes must be a positive integer, got True'),
    ('16', 'glore_num_nodes must be an int or one entry per stage'),
    ((None, None, 'ab', None), r'glore_num_nodes\[2\] must be None, an int'),
])
def test_unit_size_errors_name_the_key(spec, message):
    positions = unit_positions((0, 0, 3, 0), (3, 4, 6, 3))
    with pytest.raises(ValueError, match=message):
        unit_sizes(spec, 'glore_num_nodes', positions, (64, 128, 256, 512))
    with pytest.raises(ValueError, match=message.replace(
            'nodes', 'states')):
        build_classifier(
            dict(GLORE, glore_units=(0, 0, 3, 0), glore_num_states=spec))


def test_weight_one_start_is_not_the_identity():
    model = build_classifier(
        dict(GLORE, depth=18, glore_units=(0, 0, 1, 0),
             glore_zero_init=False), in_channels=512)
    model.init_weights()
    unit = model.backbone.glore_units['layer3_0']
    assert (unit.blocker.weight == 1).all() and not unit.zero_init
    model.eval()
    feature = torch.randn(2, 256, 4, 4)
    assert not torch.allclose(unit(feature), feature)


@pytest.mark.parametrize('backbone', [
    dict(GLORE, glore_units=(0, 2, 3, 0)),
])
def test_glore_backbone_starts_as_the_plain_resnet(backbone):
    torch.manual_seed(0)
    plain = build_classifier(dict(type='ResNet', zero_init_residual=False))
    glore = build_classifier(dict(backbone, zero_init_residual=False))
    glore.init_weights()  # ResNet init sets BN weights to 1; units re-zero
    missing, unexpected = glore.load_state_dict(
        plain.state_dict(), strict=False)
    assert not unexpected
    assert all(key.startswith('backbone.glore_units.') for key in missing)
    assert all((u.blocker.weight == 0).all()
               for u in glore.backbone.glore_units.values())
    plain.eval()
    glore.eval()
    x = torch.randn(2, 3, 64, 64)
    torch.testing.assert_close(glore(x), plain(x))
    glore.train()
    glore(torch.randn(2, 3, 64, 64)).sum().backward()
    unit = glore.backbone.glore_units['layer3_0']
    assert unit.blocker.weight.grad.abs().sum() > 0  # it learns


def test_pretrained_init_keeps_trained_blockers(tmp_path):
    trained = build_classifier(dict(GLORE, glore_units=(0, 0, 1, 0))).backbone
    for unit in trained.glore_units.values():
        torch.nn.init.constant_(unit.blocker.weight, 0.5)
    path = str(tmp_path / 'backbone.pth')
    torch.save(trained.state_dict(), path)
    model = build_classifier(
        dict(GLORE, glore_units=(0, 0, 1, 0),
             init_cfg=dict(type='Pretrained', checkpoint=path))).backbone
    model.init_weights()
    assert (model.glore_units['layer3_0'].blocker.weight == 0.5).all()


def test_gsop_blocks_sit_in_the_last_bottleneck():
    model = build_classifier(GSOP).backbone
    assert list(model.gsop_blocks) == ['layer1', 'layer2', 'layer3',
                                       'layer4']
    assert model.gsop_blocks['layer1'].channel_reduce[1].stride == (2, 2)
    assert model.gsop_blocks['layer2'].channel_reduce[1].stride == (1, 1)
    feats = model(torch.randn(1, 3, 64, 64))
    assert feats[-1].shape == (1, 2048, 4, 4)  # layer4 at stride 1


def test_gsop_block_changes_the_last_block_before_the_residual_add():
    backbone = build_classifier(dict(GSOP, zero_init_residual=False)).backbone
    backbone.init_weights()
    backbone.eval()
    block = backbone.layer1[-1]
    gsop = backbone.gsop_blocks['layer1']
    x = torch.randn(2, 256, 16, 16)
    # norm3.forward: the BN alone, without the hook that adds GSoP.
    out_norm3 = block.norm3.forward(block.conv3(block.relu(block.norm2(
        block.conv2(block.relu(block.norm1(block.conv1(x))))))))
    expected = torch.relu(gsop(out_norm3) + x)
    # The stock block's own forward carries the GSoP block.
    torch.testing.assert_close(block(x), expected)


def saved_tensor_bytes(model, x):
    """Bytes of the distinct storages autograd saves for backward while
    ``model(x)`` runs (what training keeps alive between the passes)."""
    storages = {}

    def pack(tensor):
        storage = tensor.untyped_storage()
        storages[storage.data_ptr()] = storage.nbytes()
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = model(x)
    return sum(storages.values()), out


@pytest.mark.parametrize('registry,backbone', [
    (SEG_MODELS, dict(type='GloReResNetV1c', depth=50)),
    (SEG_MODELS, dict(type='GSoPResNetV1c', depth=50)),
    (PRETRAIN_MODELS, dict(type='GSoPResNet', depth=50)),
])
def test_with_cp_checkpoints_every_block_and_extra_module(registry, backbone):
    init_default_scope(registry.scope)  # not the scope an earlier test left
    x = torch.randn(2, 3, 64, 64)
    results = {}
    for with_cp in (False, True):
        torch.manual_seed(0)
        model = registry.build(dict(backbone, with_cp=with_cp))
        model.train()
        saved, out = saved_tensor_bytes(model, x)
        out[-1].sum().backward()
        results[with_cp] = saved, out[-1], model.conv1.weight.grad \
            if hasattr(model, 'conv1') else model.stem[0].weight.grad
    # Everything checkpointed keeps ~5 % (block inputs only); a block or
    # unit outside the checkpoints (a copied forward) keeps >= 26 %.
    assert results[True][0] < 0.1 * results[False][0]
    torch.testing.assert_close(results[True][1], results[False][1])
    torch.testing.assert_close(results[True][2], results[False][2])


def test_extra_modules_follow_a_deep_copy():
    backbone = build_classifier(dict(GLORE, glore_units=(0, 0, 1, 0)))
    backbone.eval()
    twin = copy.deepcopy(backbone)
    torch.nn.init.constant_(
        twin.backbone.glore_units['layer3_0'].blocker.weight, 1.0)
    x = torch.randn(1, 3, 64, 64)
    # The copy's hooks run the copy's units (EMA models are deep copies).
    assert not torch.allclose(twin(x), backbone(x))


def test_mmseg_backbones_and_plugin():
    init_default_scope('mmseg')
    glore = SEG_MODELS.build(
        dict(
            type='GloReResNetV1c', depth=50, glore_units=(0, 0, 3, 0),
            dilations=(1, 1, 2, 4), strides=(1, 2, 1, 1),
            contract_dilation=True))
    glore.init_weights()
    outs = glore(torch.randn(1, 3, 64, 64))
    assert outs[2].shape == (1, 1024, 8, 8)
    assert glore.glore_units['layer3_0'].normalize is True
    assert glore.deep_stem and len(glore.stem) == 9  # V1c: 3 conv-BN-ReLU
    basic = SEG_MODELS.build(
        dict(type='GloReResNetV1c', depth=18, glore_units=(0, 0, 1, 0),
             glore_num_nodes=(None, None, 16, None)))
    unit = basic.glore_units['layer3_0']
    assert (unit.in_channels, unit.num_state, unit.num_node) == (256, 512, 16)
    assert basic(torch.randn(1, 3, 64, 64))[2].shape == (1, 256, 4, 4)

    gsop = SEG_MODELS.build(dict(type='GSoPResNetV1c', depth=50))
    assert len(gsop.gsop_blocks) == 4
    assert gsop(torch.randn(1, 3, 64, 64))[3].shape == (1, 2048, 2, 2)

    plugged = SEG_MODELS.build(
        dict(
            type='ResNetV1c',
            depth=50,
            plugins=[
                dict(
                    cfg=dict(type='GSoPBlock', mode='channel',
                             reduced_channels=32),
                    stages=(False, False, True, False),
                    position='after_conv3')
            ]))
    names = [n for n, _ in plugged.named_modules() if n.endswith('gsop')]
    assert len(names) == 6  # every block of stage 3
    assert plugged(torch.randn(1, 3, 64, 64))[2].shape == (1, 1024, 4, 4)


def test_gsop_needs_bottlenecks():
    with pytest.raises(ValueError, match='need Bottleneck blocks'):
        init_default_scope('mmpretrain')
        PRETRAIN_MODELS.build(dict(type='GSoPResNet', depth=18))


def test_an_unknown_gsop_argument_is_refused_by_name():
    with pytest.raises(TypeError, match='gsop_dim'):
        SEG_MODELS.build(
            dict(type='GSoPResNetV1c', depth=50, gsop_dim=32,
                 gsop_stages=(False, False, False, True)))
    model = SEG_MODELS.build(
        dict(type='GSoPResNetV1c', depth=50, gsop_reduced_channels=32,
             gsop_stages=(False, False, False, True)))
    assert model.gsop_blocks['layer4'].channel_reduce[1].out_channels == 32


@pytest.mark.parametrize('registry,backbone', [
    (PRETRAIN_MODELS, dict(type='GloReResNet')),
    (SEG_MODELS, dict(type='GloReResNetV1c', glore_normalize=False)),
])
def test_norm_eval_keeps_the_blockers_normalising(registry, backbone):
    # norm_eval freezes the ResNet's pretrained BN statistics. A blocker
    # with frozen statistics (mean 0, var 1 at the start) passes the
    # unit's un-normalised residual, which grows with the number of
    # positions without 1/L, straight into the features.
    init_default_scope(registry.scope)
    torch.manual_seed(0)
    model = registry.build(dict(
        backbone, depth=18, glore_units=(0, 0, 1, 0), glore_zero_init=False,
        norm_eval=True))
    model.init_weights()
    model.train()
    unit = model.glore_units['layer3_0']
    assert not model.layer3[0].bn1.training  # the ResNet's own BN: frozen
    assert unit.blocker.training
    residual = {}
    unit.register_forward_hook(
        lambda m, args, out: residual.update(
            std=float((out - args[0]).std()), features=float(args[0].std())))
    model(torch.randn(4, 3, 256, 256))  # L = 256 positions at Res4
    assert residual['std'] < 2.0  # BN-normalised: about 1 per channel
    model.eval()
    assert not unit.blocker.training
