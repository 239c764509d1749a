"""Import hooks installed at interpreter start, before anything is imported.

The package installs ``glore_mmseg_hook.pth`` into site-packages; that file
calls :func:`install`, which only puts two finders at the front of
``sys.meta_path``. Nothing else is imported at start-up; each finder acts
when its one module is imported:

* :class:`MmcvOpsFinder`, on ``mmcv.ops``: mmseg 1.2.2 imports ``mmcv.ops``
  while ``mmseg.models`` is imported (which ``mmseg.apis`` and mmseg's tools
  do first), and mmcv-lite's ``mmcv.ops`` fails there without the compiled
  ``mmcv._ext``. It serves a pure-PyTorch stand-in, and only when
  ``mmcv._ext`` is missing, so a compiled mmcv is never touched.
* :class:`ConfigScopeFinder`, on ``mmengine.config.config``: lets any
  project's config inherit ``glore_mmseg::<path>`` bases with nothing
  imported first (see :mod:`glore_mmseg_hook.config_scope`).
"""
from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
import types
from collections.abc import Sequence

# Only modules the interpreter has already loaded at start-up are imported
# here (no typing, no importlib.abc): the .pth runs for every interpreter.

__all__ = [
    'ConfigScopeFinder', 'MmcvOpsFinder', 'has_compiled_mmcv_ops', 'install',
    'installed'
]

_TARGET = 'mmcv.ops'


def has_compiled_mmcv_ops() -> bool:
    """Whether the installed mmcv ships its compiled ``mmcv._ext``."""
    try:
        return importlib.util.find_spec('mmcv._ext') is not None
    except (ImportError, ValueError):
        return False


class MmcvOpsFinder:
    """Serves the pure-PyTorch ``mmcv.ops`` stand-in when mmcv has no
    compiled ops; defers to the normal import for every other module.

    A meta path finder and its own loader (the protocols of
    ``importlib.abc.MetaPathFinder`` and ``Loader``, not their classes:
    importing ``importlib.abc`` would cost every interpreter start).
    """

    def find_spec(self,
                  fullname: str,
                  path: Sequence[str] | None = None,
                  target: types.ModuleType | None = None
                  ) -> importlib.machinery.ModuleSpec | None:
        if fullname != _TARGET or has_compiled_mmcv_ops():
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self,
                      spec: importlib.machinery.ModuleSpec
                      ) -> types.ModuleType:
        from .mmcv_ops import make_mmcv_ops_module
        return make_mmcv_ops_module()

    def exec_module(self, module: types.ModuleType) -> None:
        """Nothing to run: :meth:`create_module` built the module."""


class _PatchingLoader:
    """Runs a module with its own loader, then ``patch(module)``."""

    def __init__(self, loader, patch) -> None:
        self.loader = loader
        self.patch = patch

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        self.loader.exec_module(module)
        self.patch(module)


class ConfigScopeFinder:
    """Finds ``mmengine.config.config`` as the normal import does and, once it
    has run, teaches it the ``glore_mmseg::`` scope."""

    target = 'mmengine.config.config'

    def find_spec(self,
                  fullname: str,
                  path: Sequence[str] | None = None,
                  target: types.ModuleType | None = None
                  ) -> importlib.machinery.ModuleSpec | None:
        if fullname != self.target:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None
        from .config_scope import patch_config_module
        spec.loader = _PatchingLoader(spec.loader, patch_config_module)
        return spec


_FINDERS = (MmcvOpsFinder, ConfigScopeFinder)


def installed() -> bool:
    """Whether the finders are on ``sys.meta_path``."""
    return all(
        any(isinstance(finder, kind) for finder in sys.meta_path)
        for kind in _FINDERS)


def install() -> None:
    """Put the finders first on ``sys.meta_path`` (once each)."""
    for kind in reversed(_FINDERS):
        if not any(isinstance(finder, kind) for finder in sys.meta_path):
            sys.meta_path.insert(0, kind())
