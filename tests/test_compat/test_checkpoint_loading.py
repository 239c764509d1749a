"""Weights-only checkpoint loading for every mmengine checkpoint scheme."""
import os
import os.path as osp
import pickle
import zipfile

import numpy as np
import pytest
import torch
from mmengine.logging import MessageHub
from mmengine.runner import checkpoint as mmengine_checkpoint
from mmengine.runner.checkpoint import CheckpointLoader, _load_checkpoint

from glore_mmseg.compat import (NotACheckpointError, UnsafeCheckpointError,
                                checkpoint_loading)


def runner_checkpoint(path):
    """A checkpoint holding what mmengine's Runner saves besides weights."""
    hub = MessageHub.get_instance('compat_test')
    hub.update_scalar('train/loss', 0.5)
    hub.update_scalar('train/loss', np.float64(0.25))
    hub.update_info('iter', 20)
    hub.update_info('best', np.float32(1.5))
    torch.save(
        dict(
            meta=dict(iter=20, seed=np.int64(3), dataset_meta=dict(
                classes=('road', ), palette=[[128, 64, 128]])),
            state_dict={'w': torch.ones(2)},
            message_hub=hub.state_dict(),
            optimizer=dict(state={}, param_groups=[dict(lr=0.01)])), path)


def test_runner_checkpoint_loads_weights_only(tmp_path):
    path = str(tmp_path / 'iter_20.pth')
    runner_checkpoint(path)
    with pytest.raises(pickle.UnpicklingError):  # torch >= 2.6 default
        torch.load(path)
    ckpt = _load_checkpoint(path, map_location='cpu')
    assert ckpt['meta']['iter'] == 20
    assert torch.equal(ckpt['state_dict']['w'], torch.ones(2))
    buffer = ckpt['message_hub']['log_scalars']['train/loss']
    assert buffer.mean() == pytest.approx(0.375)
    assert buffer.min() == pytest.approx(0.25)


class _RunsCode:

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.makedirs, (self.marker, ))


class _ReachesAttributes:

    def __reduce__(self):
        # getattr is allowed for HistoryBuffer's statistics methods only.
        return (getattr, (np.ndarray, 'tofile'))


@pytest.mark.parametrize('payload', ['code', 'getattr'])
def test_crafted_checkpoint_is_refused(tmp_path, payload):
    marker = str(tmp_path / 'pwned')
    obj = _RunsCode(marker) if payload == 'code' else _ReachesAttributes()
    path = str(tmp_path / 'evil.pth')
    torch.save({'state_dict': {'w': torch.ones(1)}, 'x': obj}, path)
    with pytest.raises(UnsafeCheckpointError,
                       match='Refused to load checkpoint .*evil.pth'):
        _load_checkpoint(path, map_location='cpu')
    assert not osp.exists(marker)


def test_missing_checkpoint_names_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        _load_checkpoint(str(tmp_path / 'nope.pth'))


def test_not_a_checkpoint_names_the_file(tmp_path):
    text = tmp_path / 'notes.pth'
    text.write_text('these are not weights\n')
    archive = tmp_path / 'plain.zip'
    with zipfile.ZipFile(archive, 'w') as f:
        f.writestr('readme.txt', 'hello')
    for path in (text, archive):
        with pytest.raises(NotACheckpointError,
                           match=f'{path.name}.* is not a PyTorch checkpoint'):
            _load_checkpoint(str(path))
    truncated = tmp_path / 'truncated.pth'
    torch.save({'w': torch.ones(1000)}, truncated)
    truncated.write_bytes(truncated.read_bytes()[:-600])
    with pytest.raises(NotACheckpointError, match='truncated.pth'):
        _load_checkpoint(str(truncated))


def hub_cache_file(torch_home, url):
    """Where mmengine (torch.hub) caches the download of ``url``."""
    folder = osp.join(torch_home, 'hub', 'checkpoints')
    os.makedirs(folder, exist_ok=True)
    return osp.join(folder, osp.basename(url))


# Each scheme, with the URL it resolves to (served from the hub cache).
SCHEMES = {
    'http://127.0.0.1:9/w/evil.pth': 'http://127.0.0.1:9/w/evil.pth',
    'https://127.0.0.1:9/w/evil2.pth': 'https://127.0.0.1:9/w/evil2.pth',
    'torchvision://resnet18':
    mmengine_checkpoint.get_torchvision_models()['resnet18'],
    'modelzoo://resnet34':
    mmengine_checkpoint.get_torchvision_models()['resnet34'],
    'open-mmlab://resnet50_v1c':
    mmengine_checkpoint.get_external_models()['resnet50_v1c'],
    'openmmlab://resnet101_v1c':
    mmengine_checkpoint.get_external_models()['resnet101_v1c'],
    'mmcls://vgg11': mmengine_checkpoint.get_mmcls_models()['vgg11'],
}


@pytest.mark.parametrize('filename', sorted(SCHEMES))
def test_crafted_hub_checkpoint_is_refused(tmp_path, monkeypatch, filename):
    torch_home = str(tmp_path / 'torch_home')
    monkeypatch.setenv('TORCH_HOME', torch_home)
    marker = str(tmp_path / 'pwned')
    torch.save({'state_dict': {'w': torch.ones(1)}, 'x': _RunsCode(marker)},
               hub_cache_file(torch_home, SCHEMES[filename]))
    with pytest.raises(UnsafeCheckpointError, match='Refused'):
        _load_checkpoint(filename, map_location='cpu')
    assert not osp.exists(marker)


def test_mmengine_runs_the_crafted_hub_checkpoint(tmp_path, monkeypatch):
    # What the test above guards against: mmengine's own http loader
    # unpickles the cached file in full and runs its code.
    torch_home = str(tmp_path / 'torch_home')
    monkeypatch.setenv('TORCH_HOME', torch_home)
    marker = str(tmp_path / 'pwned')
    url = SCHEMES['torchvision://resnet18']
    torch.save({'x': _RunsCode(marker)}, hub_cache_file(torch_home, url))
    mmengine_checkpoint.load_from_http(url, map_location='cpu')
    assert osp.isdir(marker)


def test_hub_checkpoint_of_plain_weights_loads(tmp_path, monkeypatch):
    torch_home = str(tmp_path / 'torch_home')
    monkeypatch.setenv('TORCH_HOME', torch_home)
    url = SCHEMES['mmcls://vgg11']
    torch.save({'state_dict': {'backbone.w': torch.arange(3.0)}},
               hub_cache_file(torch_home, url))
    loaded = _load_checkpoint('mmcls://vgg11', map_location='cpu')
    # mmcls checkpoints are renamed as mmengine does (backbone. dropped).
    torch.testing.assert_close(loaded['state_dict']['w'], torch.arange(3.0))


@pytest.mark.parametrize('filename',
                         ['pavi://model/1', 's3://bucket/a.pth',
                          'open-mmlab:s3://bucket/a.pth', 'petrel://b/a.pth'])
def test_remote_storage_is_refused(filename):
    with pytest.raises(UnsafeCheckpointError, match='Copy the file'):
        _load_checkpoint(filename)


def test_every_registered_scheme_loads_weights_only():
    loaders = set(checkpoint_loading.LOADERS.values())
    unsafe = {prefix: loader.__qualname__
              for prefix, loader in CheckpointLoader._schemes.items()
              if loader not in loaders}
    assert not unsafe
