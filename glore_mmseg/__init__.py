"""GloRe, GSoP-Net and 3G-Net global-context modules for OpenMMLab 2.0.

Importing the package (directly or through a config's ``custom_imports``)
applies the stack compatibility fixes in :mod:`glore_mmseg.compat` and then
registers the heads and plugins into the mmengine and mmsegmentation
registries.
"""
from . import compat

compat.apply()

from . import (  # noqa: E402,F401  (registers)
    datasets, engine, evaluation, models)
from .ops import GloReUnit  # noqa: E402
from .version import __version__  # noqa: E402

__all__ = ['GloReUnit', '__version__']
