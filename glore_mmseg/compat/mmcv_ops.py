"""Fix: ``mmcv.ops`` on mmcv-lite (no compiled ``mmcv._ext``).

The stand-in itself lives in the top-level :mod:`glore_mmseg_hook`, which
the installed ``glore_mmseg_hook.pth`` loads at interpreter start so that
mmseg's own API and tools work without importing ``glore_mmseg`` first.
Installing it here as well covers interpreters that skipped the ``.pth``
(``python -S``, a source checkout on ``PYTHONPATH``).
"""
import importlib.util
from typing import Optional

import glore_mmseg_hook
from glore_mmseg_hook import has_compiled_mmcv_ops

NAME = 'mmcv_ops_without_ext'


def needed() -> Optional[str]:
    """Why the fix is needed here, or None when mmcv has compiled ops."""
    if importlib.util.find_spec('mmcv') is None:
        raise ModuleNotFoundError(
            'glore_mmseg needs mmcv 2.1.x: install the pure-Python '
            "mmcv-lite==2.1.0 (pip install -e '.[lite]') or a compiled "
            'mmcv==2.1.0, not both.',
            name='mmcv')
    if has_compiled_mmcv_ops():
        return None
    return 'mmcv has no compiled mmcv._ext (mmcv-lite)'


def install() -> None:
    """Serve the pure-PyTorch ``mmcv.ops`` on its next import."""
    glore_mmseg_hook.install()
