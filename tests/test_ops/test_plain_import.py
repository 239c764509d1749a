"""The plain layer imports the documented way without OpenMMLab."""
import json

import pytest

from tests.conftest import run_python

BLOCKED = ('mmengine', 'mmcv', 'mmseg', 'mmpretrain', 'cityscapesscripts')

# A meta path finder that refuses the OpenMMLab packages, as if they were
# not installed, then imports the ops as the README shows.
CODE = f'''
import json, sys
BLOCKED = {BLOCKED!r}


class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in BLOCKED:
            raise ModuleNotFoundError(f'blocked: {{name}}', name=name)
        return None


sys.meta_path.insert(0, Block())
import torch
from glore_mmseg.ops import CovPooling, GloReUnit, GSoPBlock
import glore_mmseg
y = GloReUnit(16, 8, 4, normalize=True)(torch.randn(1, 16, 5, 6))
print(json.dumps(dict(
    loaded=sorted({{m.split('.')[0] for m in sys.modules}} & set(BLOCKED)),
    glore=sorted(m for m in sys.modules
                 if m == 'glore_mmseg' or m.startswith('glore_mmseg.')),
    shape=list(y.shape), missing=glore_mmseg.OPENMMLAB_MISSING)))
'''


@pytest.fixture(scope='module')
def plain_import():
    result = run_python(['-W', 'error::UserWarning', '-c', CODE],
                        timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_ops_import_loads_no_openmmlab(plain_import):
    assert plain_import['loaded'] == []
    assert plain_import['shape'] == [1, 16, 5, 6]
    assert plain_import['missing'] == ['mmengine', 'mmcv', 'mmseg',
                                       'mmpretrain']


def test_ops_import_loads_only_the_plain_layer(plain_import):
    allowed = {'glore_mmseg', 'glore_mmseg.ops', 'glore_mmseg.version'}
    extra = [m for m in plain_import['glore'] if m not in allowed and
             not m.startswith('glore_mmseg.ops.')]
    assert extra == []


def test_partial_openmmlab_warns_and_registers_nothing():
    code = CODE.replace(repr(BLOCKED), "('mmpretrain',)")
    result = run_python(['-c', code], timeout=120,
                        env=dict(PYTHONWARNINGS='default'))
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'mmpretrain not installed; only the plain PyTorch layer' in \
        result.stderr
    assert 'glore_mmseg.models' not in result.stdout
