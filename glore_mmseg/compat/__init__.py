"""Fixes for the OpenMMLab stack on today's PyTorch and NumPy.

One module per fix; :func:`apply` (run when ``glore_mmseg`` is imported,
before anything imports ``mmseg.models``) installs each fix only when the
installed versions are known to need it, so a release that fixes the break
turns its patch off, and logs once which fixes are active:

* :mod:`.mmcv_ops`: ``mmcv.ops`` without compiled ops (mmcv-lite);
* :mod:`.checkpoint_loading`: weights-only loading for every checkpoint
  scheme (mmengine <= 0.10.7);
* :mod:`.numpy_in1d`: ``np.in1d`` for its callers (NumPy >= 2.4);
* :mod:`.cityscapes_instance_png`: cityscapesscripts' ``json2instanceImg``
  writes 16-bit PNGs (Pillow >= 13).
"""
import logging
from typing import Dict

from mmengine.logging import print_log

from . import checkpoint_loading, cityscapes_instance_png, mmcv_ops, numpy_in1d
from .checkpoint_loading import (NotACheckpointError, UnsafeCheckpointError,
                                 checkpoint_safe_globals,
                                 load_from_local_weights_only)
from .mmcv_ops import has_compiled_mmcv_ops

__all__ = [
    'FIXES', 'NotACheckpointError', 'UnsafeCheckpointError', 'active_fixes',
    'apply', 'checkpoint_safe_globals', 'has_compiled_mmcv_ops',
    'load_from_local_weights_only'
]

FIXES = (mmcv_ops, checkpoint_loading, numpy_in1d, cityscapes_instance_png)

_active: Dict[str, str] = {}
_applied = False


def active_fixes() -> Dict[str, str]:
    """The fixes :func:`apply` installed: name -> why it is needed."""
    return dict(_active)


def apply() -> None:
    """Install every fix this environment needs, once, and log them."""
    global _applied
    if _applied:
        return
    for fix in FIXES:
        reason = fix.needed()
        if reason is not None:
            fix.install()
            _active[fix.NAME] = reason
    _applied = True
    summary = '; '.join(f'{name} ({reason})'
                        for name, reason in _active.items()) or 'none'
    print_log(
        f'glore_mmseg stack fixes active: {summary}',
        logger='current',
        level=logging.INFO)
