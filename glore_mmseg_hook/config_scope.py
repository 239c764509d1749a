"""``glore_mmseg::`` base configs for mmengine 0.10.x, from any project.

mmengine resolves ``_base_ = ['pkg::path']`` before a config's
``custom_imports`` run, and knows only the scopes of its hard-coded
``MODULE2PACKAGE``; so the scope must be known from interpreter start-up.
:func:`patch_config_module` runs right after ``mmengine.config.config`` is
imported and

* adds ``glore_mmseg`` to ``MODULE2PACKAGE``;
* resolves ``glore_mmseg::<path>`` to ``glore_mmseg/.mim/configs/<path>`` of
  the ``glore_mmseg`` that would be imported (found with
  ``importlib.util.find_spec``, which imports nothing: mmengine's own lookup
  goes through the distribution's location, which an editable install does
  not have);
* adds no ``_scope_`` to what such a base defines. The package registers into
  mmseg's and mmpretrain's registries and has no registry tree of its own,
  and its configs already name their scope (``default_scope`` and the
  ``mmseg::``/``mmpretrain::`` bases), so a base of this package is read like
  a local base file. A ``glore_mmseg`` scope would send mmseg's metrics and
  transforms to mmengine's root registries, which do not hold them.
"""
from __future__ import annotations

import importlib.util
import os.path as osp
import types

SCOPE = 'glore_mmseg'
DISTRIBUTION = 'glore-mmseg'
#: Newest mmengine whose ``Config._get_cfg_path`` was checked (0.10.7 is the
#: newest release).
CHECKED_MMENGINE = (0, 10, 7)


def _version_tuple(version: str) -> tuple:
    parts = []
    for part in version.split('.')[:3]:
        digits = ''.join(c for c in part if c.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def package_config(relative: str) -> str:
    """The file of ``glore_mmseg::<relative>``.

    Raises:
        ModuleNotFoundError: ``glore_mmseg`` cannot be imported.
        FileNotFoundError: The package has no such config; the message
            names the folder it looked in.
    """
    spec = importlib.util.find_spec(SCOPE)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            f'{SCOPE}::{relative}: the {SCOPE} package is not installed')
    config_dir = osp.join(spec.submodule_search_locations[0], '.mim',
                          'configs')
    path = osp.join(config_dir, relative)
    if not path.endswith('.py') and not osp.isfile(path):
        path += '.py'
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'{SCOPE}::{relative}: no such config in {config_dir}')
    return path


def patch_config_module(module: types.ModuleType) -> None:
    """Teach ``mmengine.config.config`` (just imported) the ``glore_mmseg``
    scope; does nothing on an mmengine newer than :data:`CHECKED_MMENGINE`
    except adding the scope to ``MODULE2PACKAGE``."""
    from mmengine.config import utils
    from mmengine.version import __version__
    utils.MODULE2PACKAGE.setdefault(SCOPE, DISTRIBUTION)
    if _version_tuple(__version__) > CHECKED_MMENGINE:
        return
    config_class = module.Config
    original = config_class._get_cfg_path

    def _get_cfg_path(cfg_path: str, filename: str):
        if cfg_path.startswith(f'{SCOPE}::'):
            return package_config(cfg_path.partition('::')[2]), None
        return original(cfg_path, filename)

    _get_cfg_path.__wrapped__ = original
    config_class._get_cfg_path = staticmethod(_get_cfg_path)
