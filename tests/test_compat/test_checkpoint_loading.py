"""Weights-only checkpoint loading for every mmengine checkpoint scheme."""
import argparse
import ast
import os
import os.path as osp
import pickle
import shutil
import sys
import types
import zipfile

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub
from mmengine.runner import checkpoint as mmengine_checkpoint
from mmengine.runner.checkpoint import CheckpointLoader, _load_checkpoint

from glore_mmseg.compat import (NotACheckpointError, UnsafeCheckpointError,
                                checkpoint_loading)
from tests.conftest import run_python


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


def test_every_registered_scheme_loads_weights_only():
    loaders = set(checkpoint_loading.LOADERS.values())
    unsafe = {prefix: loader.__qualname__
              for prefix, loader in CheckpointLoader._schemes.items()
              if loader not in loaders}
    assert not unsafe


# --- Only what needs changing (mmengine's own test_checkpoint_loader) -----

MMENGINE_SCHEMES = ('from mmengine.runner.checkpoint import CheckpointLoader; '
                    'print({p: f.__name__ for p, f in '
                    'CheckpointLoader._schemes.items()})')


def test_every_mmengine_scheme_resolves_to_a_loader_of_its_name():
    # mmengine's own table, read in an interpreter without glore_mmseg.
    result = run_python(['-c', MMENGINE_SCHEMES])
    assert result.returncode == 0, result.stderr[-2000:]
    own = ast.literal_eval(result.stdout.strip())
    assert set(own) == set(checkpoint_loading.LOADERS)
    for prefix, name in own.items():
        loader = CheckpointLoader._schemes[prefix]
        assert loader in checkpoint_loading.LOADERS.values()
        assert loader.__name__ == name, prefix
    # Paths from mmengine's test_checkpoint_loader, longest prefix first.
    for path, name in [('s3://a/b.pth', 'load_from_ceph'),
                       ('open-mmlab:s3://a/b.pth', 'load_from_ceph'),
                       ('petrel://a/b.pth', 'load_from_ceph'),
                       ('ss3://a/b.pth', 'load_from_local'),
                       ('pavi://a/b.pth', 'load_from_pavi'),
                       ('modelzoo://a', 'load_from_torchvision'),
                       ('https://a/b.pth', 'load_from_http')]:
        assert CheckpointLoader._get_checkpoint_loader(path).__name__ == name


def test_install_keeps_a_loader_the_user_registered(monkeypatch):
    monkeypatch.setattr(CheckpointLoader, '_schemes',
                        dict(CheckpointLoader._schemes))

    def load_from_my_store(filename, map_location=None):
        return {'from': filename}

    CheckpointLoader.register_scheme('pavi://', load_from_my_store,
                                     force=True)
    checkpoint_loading.install()
    assert _load_checkpoint('pavi://x')['from'] == 'pavi://x'
    assert CheckpointLoader._schemes[r'(\S+\:)?s3://'] is \
        checkpoint_loading.load_from_ceph


# --- Remote storage: read through mmengine's file backends ----------------


class _PetrelClient:
    """petrel_client's ``Client`` over a dict (no object store here)."""

    objects = {}

    def __init__(self, conf_path=None, enable_mc=True):
        pass

    def Get(self, filepath):
        return self.objects[filepath]


@pytest.fixture
def object_store(monkeypatch):
    """``s3://`` / ``petrel://`` objects served to mmengine's real
    PetrelBackend through a stand-in of its ``petrel_client`` package."""
    package = types.ModuleType('petrel_client')
    package.client = types.SimpleNamespace(Client=_PetrelClient)
    monkeypatch.setitem(sys.modules, 'petrel_client', package)
    monkeypatch.setitem(sys.modules, 'petrel_client.client', package.client)
    monkeypatch.setattr(_PetrelClient, 'objects', {})
    return _PetrelClient.objects


@pytest.mark.parametrize('url', ['s3://bucket/iter_20.pth',
                                 'open-mmlab:s3://bucket/iter_20.pth',
                                 'petrel://bucket/iter_20.pth'])
def test_object_store_checkpoint_loads_weights_only(tmp_path, object_store,
                                                    url):
    path = tmp_path / 'iter_20.pth'
    runner_checkpoint(str(path))
    # PetrelBackend asks its client for petrel:// paths as s3:// ones.
    object_store[url.replace('petrel://', 's3://')] = path.read_bytes()
    ckpt = _load_checkpoint(url, map_location='cpu')
    assert ckpt['meta']['iter'] == 20
    assert torch.equal(ckpt['state_dict']['w'], torch.ones(2))


def test_crafted_object_store_checkpoint_is_refused(tmp_path, object_store,
                                                    monkeypatch):
    # Torch's opt-out is for the user's own local files, not for these.
    monkeypatch.setenv('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '1')
    marker = str(tmp_path / 'pwned')
    path = tmp_path / 'evil.pth'
    torch.save({'x': _RunsCode(marker)}, path)
    object_store['s3://bucket/evil.pth'] = path.read_bytes()
    with pytest.raises(UnsafeCheckpointError,
                       match="Refused .*'s3://bucket/evil.pth'"):
        _load_checkpoint('s3://bucket/evil.pth')
    object_store['s3://bucket/notes.pth'] = b'not weights'
    with pytest.raises(NotACheckpointError, match='s3://bucket/notes.pth'):
        _load_checkpoint('s3://bucket/notes.pth')
    assert not osp.exists(marker)


@pytest.fixture
def model_cloud(monkeypatch, tmp_path):
    """``pavi://`` models: pavi's ``modelcloud`` over a local folder."""
    folder = tmp_path / 'cloud'
    folder.mkdir()

    class Model:

        def __init__(self, path):
            self.name = osp.basename(path)
            self._source = folder / path

        def download(self, filename):
            shutil.copyfile(self._source, filename)

    modelcloud = types.SimpleNamespace(get=Model)
    monkeypatch.setitem(sys.modules, 'pavi',
                        types.SimpleNamespace(modelcloud=modelcloud))
    return folder


def test_pavi_checkpoint_loads_weights_only(tmp_path, model_cloud):
    runner_checkpoint(str(model_cloud / 'iter_20.pth'))
    ckpt = _load_checkpoint('pavi://iter_20.pth', map_location='cpu')
    assert ckpt['meta']['iter'] == 20
    marker = str(tmp_path / 'pwned')
    torch.save({'x': _RunsCode(marker)}, model_cloud / 'evil.pth')
    with pytest.raises(UnsafeCheckpointError, match='pavi://evil.pth'):
        _load_checkpoint('pavi://evil.pth')
    assert not osp.exists(marker)


# --- Torch's opt-out and mmengine's statistics extension point -------------


def test_torch_opt_out_is_respected_for_local_files(tmp_path, monkeypatch):
    logged = []
    monkeypatch.setattr(checkpoint_loading, 'print_log',
                        lambda msg, **kwargs: logged.append(msg))
    monkeypatch.setattr(checkpoint_loading, '_opt_out_logged', False)
    path = str(tmp_path / 'own.pth')
    torch.save({'state_dict': {'w': torch.ones(1)},
                'args': argparse.Namespace(lr=0.5)}, path)
    with pytest.raises(UnsafeCheckpointError):
        _load_checkpoint(path)
    monkeypatch.setenv('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '1')
    assert _load_checkpoint(path)['args'].lr == 0.5
    assert _load_checkpoint(path)['args'].lr == 0.5
    assert len(logged) == 1 and 'TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD' in \
        logged[0]
    # Hub downloads stay weights-only.
    torch_home = str(tmp_path / 'torch_home')
    monkeypatch.setenv('TORCH_HOME', torch_home)
    marker = str(tmp_path / 'pwned')
    url = SCHEMES['torchvision://resnet18']
    torch.save({'x': _RunsCode(marker)}, hub_cache_file(torch_home, url))
    with pytest.raises(UnsafeCheckpointError):
        _load_checkpoint('torchvision://resnet18')
    assert not osp.exists(marker)


def median(self, window_size=None):
    """A statistic registered through mmengine's extension point."""
    return np.median(self._log_history[-(window_size or 0):])


def test_registered_statistics_are_allowed(tmp_path, monkeypatch):
    monkeypatch.setattr(HistoryBuffer, '_statistics_methods',
                        dict(HistoryBuffer._statistics_methods))
    HistoryBuffer.register_statistics(median)
    path = str(tmp_path / 'iter_20.pth')
    runner_checkpoint(path)
    ckpt = _load_checkpoint(path, map_location='cpu')
    buffer = ckpt['message_hub']['log_scalars']['train/loss']
    assert buffer.statistics('median') == pytest.approx(0.375)
