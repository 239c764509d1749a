"""Where the package keeps its configs, tools and model index.

OpenMMLab's convention: a package ships them in its ``.mim`` folder (mmseg's
``mmseg/.mim/configs``), which is where mmengine looks for
``glore_mmseg::<path>`` base configs. In a repository checkout ``.mim``
holds links to the repository's ``configs/``, ``tools/`` and
``model-index.yml`` (the single source); a built wheel holds copies.
"""
import os.path as osp

#: ``glore_mmseg/.mim``.
MIM_DIR = osp.join(osp.dirname(osp.abspath(__file__)), '.mim')
CONFIG_DIR = osp.join(MIM_DIR, 'configs')
TOOLS_DIR = osp.join(MIM_DIR, 'tools')
MODEL_INDEX = osp.join(MIM_DIR, 'model-index.yml')


def config_path(relative: str) -> str:
    """The absolute path of one of the package's configs.

    Args:
        relative: Path below ``configs/``, e.g.
            ``'demo/glore_r18-d8_1xb2-40iter_synthetic-cityscapes-256x512.py'``.

    Raises:
        FileNotFoundError: The package has no such config.
    """
    path = osp.join(CONFIG_DIR, relative)
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'glore_mmseg has no config {relative!r} (looked in {CONFIG_DIR})')
    return path
