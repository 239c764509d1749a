"""``mmcv.ops`` for mmcv-lite, installed at interpreter start.

mmseg 1.2.2 imports ``mmcv.ops`` while ``mmseg.models`` is imported (which
``mmseg.apis`` and mmseg's tools do first), and mmcv-lite's ``mmcv.ops``
fails there without the compiled ``mmcv._ext``. The package installs
``glore_mmseg_hook.pth`` into site-packages; that file calls
:func:`install`, which only puts :class:`MmcvOpsFinder` at the front of
``sys.meta_path``. Nothing else is imported at start-up: the finder acts
when ``mmcv.ops`` is imported, and only when ``mmcv._ext`` is missing, so a
compiled mmcv is never touched.
"""
from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
import types
from collections.abc import Sequence

# Only modules the interpreter has already loaded at start-up are imported
# here (no typing, no importlib.abc): the .pth runs for every interpreter.

__all__ = ['MmcvOpsFinder', 'has_compiled_mmcv_ops', 'install', 'installed']

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


def installed() -> bool:
    """Whether a :class:`MmcvOpsFinder` is on ``sys.meta_path``."""
    return any(isinstance(finder, MmcvOpsFinder) for finder in sys.meta_path)


def install() -> None:
    """Put a :class:`MmcvOpsFinder` first on ``sys.meta_path`` (once)."""
    if not installed():
        sys.meta_path.insert(0, MmcvOpsFinder())
