"""``glore_mmseg::`` base configs: known from interpreter start, resolved to
the package's ``.mim/configs``, read without a ``glore_mmseg`` scope."""
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import HOOKS, METRICS, init_default_scope

import glore_mmseg
from tests.conftest import run_python

DEMO = 'demo/glore_r18-d8_1xb2-40iter_synthetic-cityscapes-256x512'
NOTHING_IMPORTED = (
    'import sys; '
    "assert not [m for m in sys.modules if m.split('.')[0] in "
    "('mmengine', 'glore_mmseg', 'torch')]; ")


def write_config(folder, base):
    path = folder / 'my_config.py'
    path.write_text(f'_base_ = [{base!r}]\n'
                    'model = dict(decode_head=dict(num_units=2))\n')
    return str(path)


def test_the_scope_is_known_once_mmengine_config_is_imported(tmp_path):
    config = write_config(tmp_path, f'glore_mmseg::{DEMO}.py')
    script = (
        NOTHING_IMPORTED + 'import glore_mmseg_hook; '
        "assert 'glore_mmseg_hook.config_scope' not in sys.modules; "
        'from mmengine.config.utils import MODULE2PACKAGE; '
        "assert MODULE2PACKAGE['glore_mmseg'] == 'glore-mmseg'; "
        'from mmengine.config import Config; '
        f'cfg = Config.fromfile({config!r}); '
        "print(cfg.model.decode_head.num_units, cfg.model.decode_head.type)")
    result = run_python(['-c', script], cwd=str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split()[-2:] == ['2', 'GloReHead']


def test_a_glore_mmseg_base_adds_no_scope_and_builds_in_the_hosts(tmp_path):
    cfg = Config.fromfile(write_config(tmp_path, f'glore_mmseg::{DEMO}.py'))
    assert "_scope_='glore_mmseg'" not in cfg.pretty_text
    assert cfg.default_scope == 'mmseg'
    init_default_scope('mmseg')
    # mmengine's root registries build what the Runner builds from them.
    assert type(METRICS.build(cfg.val_evaluator)).__name__ == 'IoUMetric'
    assert [type(HOOKS.build(hook)).__name__ for hook in cfg.custom_hooks
            ] == [hook['type'] for hook in cfg.custom_hooks]


def test_the_base_is_the_package_file_with_or_without_py(tmp_path):
    with_py = Config.fromfile(
        write_config(tmp_path, f'glore_mmseg::{DEMO}.py'))
    without = Config.fromfile(write_config(tmp_path, f'glore_mmseg::{DEMO}'))
    assert with_py.pretty_text == without.pretty_text
    package = osp.dirname(glore_mmseg.__file__)
    assert osp.isfile(osp.join(package, '.mim', 'configs', f'{DEMO}.py'))


def test_a_missing_config_is_named_with_the_folder(tmp_path):
    config = write_config(tmp_path, 'glore_mmseg::glore/no_such_config.py')
    with pytest.raises(FileNotFoundError,
                       match=r'glore_mmseg::glore/no_such_config.py: no such '
                       r'config in .*\.mim/configs'):
        Config.fromfile(config)


def test_other_packages_bases_resolve_as_before(tmp_path):
    cfg = Config.fromfile(
        write_config(tmp_path, 'mmseg::_base_/models/fcn_r50-d8.py'))
    assert cfg.model._scope_ == 'mmseg'
