"""A load_from checkpoint that does not fit the model is refused."""
import re

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from glore_mmseg.engine.checkpoint_match import (CheckpointMismatchError,
                                                 check_load_from,
                                                 compare_state_dicts,
                                                 load_state_dict_strictly)
from tests.conftest import DEMO_CONFIG, run_python


def build_segmentor(**decode_head):
    from mmseg.registry import MODELS
    init_default_scope('mmseg')
    cfg = Config.fromfile(DEMO_CONFIG)
    cfg.model.decode_head.update(decode_head)
    return MODELS.build(cfg.model)


@pytest.fixture(scope='module')
def segmentor():
    return build_segmentor()


def save(path, state_dict):
    torch.save({'state_dict': state_dict, 'meta': {}}, path)
    return str(path)


def config(load_from, **kwargs):
    return Config(dict(load_from=load_from, **kwargs), filename=DEMO_CONFIG)


def test_own_checkpoint_passes(segmentor, tmp_path):
    path = save(tmp_path / 'own.pth', {
        f'module.{key}': value
        for key, value in segmentor.state_dict().items()
    })  # DataParallel prefix, stripped as the Runner does
    for mode in ('test', 'train'):
        check_load_from(segmentor, config(path), mode)
    # Test-time augmentation wraps the segmentor, as DDP does.
    from mmseg.models import SegTTAModel
    check_load_from(SegTTAModel(module=segmentor), config(path), 'test')


def test_classifier_checkpoint_is_refused_with_its_keys(segmentor, tmp_path):
    from tests.conftest import build_classifier
    classifier = build_classifier(dict(type='ResNet'))
    path = save(tmp_path / 'resnet50_in1k.pth', classifier.state_dict())
    with pytest.raises(CheckpointMismatchError) as err:
        check_load_from(segmentor, config(path), 'test')
    message = str(err.value)
    assert 'resnet50_in1k.pth' in message and DEMO_CONFIG in message
    assert 'missing in the checkpoint' in message
    assert '  auxiliary_head.conv_seg.weight' in message
    assert ('backbone.layer1.0.conv1.weight: checkpoint (64, 64, 1, 1) vs '
            'model (64, 64, 3, 3)') in message
    assert 'load_from_partial' not in message  # no way round it for test
    with pytest.raises(CheckpointMismatchError, match='load_from_partial'):
        check_load_from(segmentor, config(path), 'train')
    # Asked for explicitly, a partial load goes ahead.
    check_load_from(segmentor, config(path, load_from_partial=True), 'train')


def two_unit_checkpoint(tmp_path):
    """The checkpoint of a head with two GloRe units (the demo has one)."""
    return save(tmp_path / 'two_units.pth',
                build_segmentor(num_units=2).state_dict())


def test_extra_keys_are_refused_for_testing_whatever_the_config(
        segmentor, tmp_path):
    path = two_unit_checkpoint(tmp_path)
    for cfg in (config(path), config(path, load_from_partial=True)):
        with pytest.raises(CheckpointMismatchError) as err:
            check_load_from(segmentor, cfg, 'test')
        message = str(err.value)
        assert 'in the checkpoint, not in the model (' in message
        assert '  decode_head.glore_units.1.conv_proj.weight' in message
        assert 'load_from_partial' not in message


def test_strict_load_lists_every_kind_and_loads_a_fit(segmentor, tmp_path):
    other = build_segmentor(num_units=2, num_classes=5)
    checkpoint = {'state_dict': other.state_dict()}
    with pytest.raises(CheckpointMismatchError) as err:
        load_state_dict_strictly(segmentor, checkpoint, 'two_units.pth')
    message = str(err.value)
    assert message.startswith("Checkpoint 'two_units.pth' does not fit")
    assert 'decode_head.glore_units.1.conv_proj.weight' in message
    assert 'decode_head.conv_seg.bias: checkpoint (5,) vs model (19,)' in \
        message
    del checkpoint['state_dict']['decode_head.conv_seg.bias']
    with pytest.raises(CheckpointMismatchError,
                       match=r'missing in the checkpoint \(1\):\n  '
                       r'decode_head.conv_seg.bias'):
        load_state_dict_strictly(other, checkpoint, 'two_units.pth')
    fresh = build_segmentor()
    load_state_dict_strictly(fresh, {'state_dict': segmentor.state_dict()},
                             'own.pth')
    for key, value in segmentor.state_dict().items():
        assert torch.equal(fresh.state_dict()[key], value), key


def test_head_shape_mismatch_is_refused(segmentor, tmp_path):
    other = build_segmentor(num_classes=5)
    path = save(tmp_path / 'five_classes.pth', other.state_dict())
    with pytest.raises(CheckpointMismatchError,
                       match=r'shape mismatch \(2\):\n  decode_head.conv_seg.'
                       r'bias: checkpoint \(5,\) vs model \(19,\)'):
        check_load_from(segmentor, config(path), 'train')


def test_compare_state_dicts_ignores_batch_counters():
    model = {'a': torch.ones(2), 'bn.num_batches_tracked': torch.tensor(0)}
    assert compare_state_dicts(model, {'a': torch.ones(2), 'b': 1}) == dict(
        missing=[], unexpected=['b'], shape=[])


def classifier_checkpoint(tmp_path):
    from tests.conftest import build_classifier
    gsop = build_classifier(dict(type='GSoPResNet', strides=(1, 2, 2, 1)))
    return save(tmp_path / 'gsopnet1.pth', gsop.state_dict())


@pytest.mark.parametrize('checkpoint, listed_key', [
    (classifier_checkpoint, 'auxiliary_head.conv_seg.weight'),
    (two_unit_checkpoint, 'decode_head.glore_units.1.conv_proj.weight'),
], ids=['classifier', 'extra-keys'])
def test_test_tool_refuses_a_checkpoint_of_another_model(
        tmp_path, cityscapes_root, checkpoint, listed_key):
    result = run_python([
        'tools/test.py', DEMO_CONFIG, checkpoint(tmp_path), '--work-dir',
        str(tmp_path / 'work'), '--cfg-options',
        *[f'{loader}.dataset.data_root={cityscapes_root}'
          for loader in ('train_dataloader', 'val_dataloader',
                         'test_dataloader')]
    ])
    assert result.returncode != 0
    assert 'CheckpointMismatchError' in result.stderr
    assert listed_key in result.stderr
    assert not re.search(r'mIoU: [\d.]+', result.stdout + result.stderr)


def test_load_from_is_memory_mapped_for_the_fit_check(segmentor, tmp_path,
                                                      monkeypatch):
    path = save(tmp_path / 'own.pth', segmentor.state_dict())
    loads = []
    real_load = torch.load

    def recording_load(f, *args, **kwargs):
        loads.append((f, kwargs.get('mmap')))
        return real_load(f, *args, **kwargs)

    monkeypatch.setattr(torch, 'load', recording_load)
    check_load_from(segmentor, config(path), 'test')
    # One read, of the keys and shapes only: the tensors stay on disk
    # until the Runner loads them.
    assert loads == [(path, True)]
