"""GloRe, GSoP-Net and 3G-Net global-context modules for OpenMMLab 2.0.

Importing the package (directly or through a config's ``custom_imports``)
applies the stack compatibility fixes in :mod:`glore_mmseg.compat` and then
registers the heads, plugins and data transforms into the mmengine and
mmsegmentation registries and, in a repository checkout, the ImageNet
classifiers of ``model-index.yml`` into mmpretrain's ``ModelHub``.
"""
import os.path as osp

from . import compat

compat.apply()

from . import datasets, engine, evaluation, models  # noqa: E402,F401
from .apis import model_index  # noqa: E402
from .ops import GloReUnit  # noqa: E402
from .version import __version__  # noqa: E402

if osp.isfile(model_index.MODEL_INDEX):
    # mmpretrain.get_model('<name>') finds the ImageNet configs.
    model_index.register_classifiers()

__all__ = ['GloReUnit', '__version__']
