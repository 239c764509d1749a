"""The package's model index: configs found by model name.

``model-index.yml`` imports one ``metafile.yml`` per config folder in
OpenMMLab's format (name, config, paper, measured metrics, weights where
released); the package carries them in its ``.mim`` folder, so model names
work from a wheel install as from a checkout. Segmentation models are
looked up by :func:`find_config` (``glore-mmseg infer NAME ...``); the
ImageNet classifiers are registered into mmpretrain's ``ModelHub``, so
``mmpretrain.get_model(NAME)`` builds them.
"""
import difflib
import os.path as osp
from typing import Dict, List

from mmengine.fileio import load
from mmengine.infer import BaseInferencer

from ..package_data import MIM_DIR, MODEL_INDEX

#: Metafiles of the mmpretrain (ImageNet) configs.
CLASSIFIER_METAFILES = ('configs/glore_cls/metafile.yml',
                        'configs/gsopnet/metafile.yml',
                        'configs/3gnet/metafile.yml')

_classifiers_registered = False


def _check_index() -> None:
    if not osp.isfile(MODEL_INDEX):
        raise FileNotFoundError(
            f'The model index {MODEL_INDEX!r} is missing: this glore_mmseg '
            'was installed without its package data; reinstall it from a '
            'wheel or the repository, or pass a config file path')


def model_configs() -> Dict[str, str]:
    """Every model of the index: name -> absolute config path."""
    _check_index()
    return {
        model['Name']: osp.join(MIM_DIR, model['Config'])
        for model in BaseInferencer._get_models_from_metafile(MIM_DIR)
    }


def find_config(name_or_path: str) -> str:
    """A config file path, given one or a model name of the index.

    Args:
        name_or_path: Path of a config file, or a model name such as
            ``'glore_r50-d8_4xb2-80k_cityscapes-512x1024'`` (case-insensitive,
            an optional ``.py`` is ignored).

    Raises:
        FileNotFoundError: Neither a file nor a model of the index; the
            message suggests the closest names.
    """
    if osp.isfile(name_or_path):
        return name_or_path
    configs = model_configs()
    wanted = osp.basename(name_or_path)
    wanted = wanted[:-3] if wanted.endswith('.py') else wanted
    by_lower = {name.lower(): name for name in configs}
    if wanted.lower() in by_lower:
        return configs[by_lower[wanted.lower()]]
    close = difflib.get_close_matches(wanted, list(configs), n=3)
    raise FileNotFoundError(
        f'{name_or_path!r} is neither a config file nor a model name of '
        f'{MODEL_INDEX}' + (f'; did you mean {close}?' if close else ''))


def register_classifiers() -> List[str]:
    """Register the ImageNet classifiers in mmpretrain's ``ModelHub``.

    Reads local files only; a second call does nothing. Afterwards
    ``mmpretrain.get_model('gsopnet2_resnet50_8xb32-65e_in1k')`` builds the
    model (no released weights are listed, so ``pretrained`` must be False
    or a checkpoint path).

    Returns:
        The registered model names.
    """
    global _classifiers_registered
    from mmpretrain.apis import ModelHub
    _check_index()
    names = []
    for metafile in CLASSIFIER_METAFILES:
        path = osp.join(MIM_DIR, metafile)
        names += [model['Name'] for model in load(path)['Models']]
        if not _classifiers_registered:
            ModelHub.register_model_index(path, config_prefix=MIM_DIR)
    _classifiers_registered = True
    return names
