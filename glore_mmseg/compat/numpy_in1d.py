"""Fix: ``np.in1d``, removed in NumPy 2.4, still called by
cityscapesscripts' evaluators and mmpretrain's retrieval metric."""
from importlib import metadata
from typing import Any, Optional

import numpy as np
from mmengine.utils import digit_version

NAME = 'numpy_in1d'

#: Callers of ``np.in1d`` and their last release known to call it.
CALLERS = {'cityscapesscripts': '2.3.0', 'mmpretrain': '1.2.0'}


def _installed_version(distribution: str) -> Optional[str]:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def needed() -> Optional[str]:
    """Why the alias is needed here, or None (NumPy has ``in1d``, or no
    installed caller is at a release known to call it)."""
    if hasattr(np, 'in1d'):
        return None
    callers = []
    for distribution, last_affected in CALLERS.items():
        version = _installed_version(distribution)
        if version is not None and digit_version(version) <= digit_version(
                last_affected):
            callers.append(f'{distribution} {version}')
    if not callers:
        return None
    return (f'NumPy {np.__version__} has no np.in1d, called by '
            f'{", ".join(callers)}')


def in1d(ar1: Any,
         ar2: Any,
         assume_unique: bool = False,
         invert: bool = False,
         **kwargs: Any) -> np.ndarray:
    """``np.in1d`` as NumPy < 2.4 defined it: a flattened ``np.isin``."""
    return np.isin(
        np.asarray(ar1).ravel(),
        ar2,
        assume_unique=assume_unique,
        invert=invert,
        **kwargs)


def install() -> None:
    """Provide ``np.in1d`` again."""
    np.in1d = in1d  # type: ignore[attr-defined]
