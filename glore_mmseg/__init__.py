"""GloRe, GSoP-Net and 3G-Net global-context modules for OpenMMLab 2.0.

Importing the package (directly or through a config's ``custom_imports``)
applies the stack compatibility fixes in :mod:`glore_mmseg.compat` and then
registers the heads, plugins and data transforms into the mmengine,
mmsegmentation and mmpretrain registries and, in a repository checkout, the
ImageNet classifiers of ``model-index.yml`` into mmpretrain's ``ModelHub``.

Without OpenMMLab (none of mmengine, mmcv, mmseg, mmpretrain can be
found), only the plain PyTorch layer :mod:`glore_mmseg.ops` is imported:
``from glore_mmseg.ops import GloReUnit`` then loads torch and nothing
else. With only some of them installed, a ``UserWarning`` names the
missing ones and nothing is registered.
"""
import importlib.util
import os.path as osp
import warnings

from .ops import GloReUnit
from .version import __version__

__all__ = ['GloReUnit', '__version__']


def _missing(names):
    """The top-level packages of ``names`` that cannot be imported."""
    missing = []
    for name in names:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):  # blocked, or a None module
            found = False
        if not found:
            missing.append(name)
    return missing


#: OpenMMLab packages this package registers into; empty when all exist.
OPENMMLAB_MISSING = _missing(('mmengine', 'mmcv', 'mmseg', 'mmpretrain'))

if OPENMMLAB_MISSING:
    if len(OPENMMLAB_MISSING) < 4:
        warnings.warn(
            f'glore_mmseg: {", ".join(OPENMMLAB_MISSING)} not installed; '
            'only the plain PyTorch layer glore_mmseg.ops is available and '
            'nothing is registered in the OpenMMLab registries',
            UserWarning,
            stacklevel=2)
else:
    # The stack fixes must run before anything imports mmseg.models.
    from . import compat
    compat.apply()

    from . import datasets, engine, evaluation, models  # noqa: F401
    from .apis import model_index

    if osp.isfile(model_index.MODEL_INDEX):
        # mmpretrain.get_model('<name>') finds the ImageNet configs.
        model_index.register_classifiers()
