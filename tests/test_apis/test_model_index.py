import os
import os.path as osp
import socket

import pytest
from mmengine.fileio import load

from glore_mmseg.apis import (MODEL_INDEX, find_config, model_configs,
                              register_classifiers)
from tests.conftest import REPO

MODEL_FOLDERS = ('glore', 'demo', 'glore_cls', 'gsopnet', '3gnet',
                 'context_benchmark')
# Scores measured in this repository: tools/demo.py, tools/context_benchmark.py
MEASURED = ('demo', 'context_benchmark')


def test_index_lists_every_config_once():
    index = load(MODEL_INDEX)
    assert index['Import'] == [
        f'configs/{folder}/metafile.yml' for folder in MODEL_FOLDERS
    ]
    # The package's .mim/configs are the repository's configs.
    configs = {
        name: osp.realpath(path)
        for name, path in model_configs().items()
    }
    expected = {
        name[:-3]: osp.realpath(osp.join(REPO, 'configs', folder, name))
        for folder in MODEL_FOLDERS
        for name in os.listdir(osp.join(REPO, 'configs', folder))
        if name.endswith('.py')
    }
    assert configs == expected
    for folder in MODEL_FOLDERS:
        metafile = load(osp.join(REPO, 'configs', folder, 'metafile.yml'))
        for collection in metafile['Collections']:
            assert collection['Paper']['Title']
            assert collection['Paper']['URL'].startswith('https://')
        for model in metafile['Models']:
            # No model of this package has released weights, and only the
            # demo's and the context benchmark's scores were measured here.
            assert 'Weights' not in model
            assert ('Results' in model) == (folder in MEASURED)


def test_find_config_by_name_or_path():
    path = osp.join(REPO, 'configs', 'glore',
                    'glore_r50-d8_4xb2-80k_cityscapes-512x1024.py')
    by_name = find_config('glore_r50-d8_4xb2-80k_cityscapes-512x1024')
    assert osp.samefile(by_name, path)
    assert find_config('GloRe_R50-D8_4xb2-80k_Cityscapes-512x1024.py') == \
        by_name
    assert find_config(path) == path
    with pytest.raises(FileNotFoundError,
                       match="did you mean.*'glore_r50-d8_4xb2-80k_city"):
        find_config('glore_r50-d8_4xb2-80k_cityscape')


def test_classifiers_in_mmpretrain_model_hub(monkeypatch):
    from mmpretrain import get_model
    from mmpretrain.apis import ModelHub

    def no_network(*args, **kwargs):
        raise AssertionError('the model hub tried to reach the network')

    monkeypatch.setattr(socket.socket, 'connect', no_network)
    assert ModelHub.has('gsopnet2_resnet50_8xb32-65e_in1k')  # on import
    names = register_classifiers()  # again: no error, nothing new
    assert len(names) == 15 and 'gsopnet2_resnet50_8xb32-65e_in1k' in names
    assert not ModelHub.has('glore_r50-d8_4xb2-80k_cityscapes-512x1024')
    model = get_model('gsopnet2_resnet50_8xb32-65e_in1k', pretrained=False)
    assert type(model).__name__ == 'ImageClassifier'
    assert type(model.neck).__name__ == 'ISQRTCovNeck'
    metafile = load(osp.join(REPO, 'configs', 'gsopnet', 'metafile.yml'))
    (entry, ) = [
        m for m in metafile['Models']
        if m['Name'] == 'gsopnet2_resnet50_8xb32-65e_in1k'
    ]
    assert entry['Metadata']['Parameters'] == sum(
        p.numel() for p in model.parameters()) == 58278568
