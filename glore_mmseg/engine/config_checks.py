"""Up-front checks of the paths a config points at.

A typo in ``data_root`` or a missing checkpoint otherwise surfaces deep inside
a dataloader worker or after the model is built; these checks fail at start
with the config key and the path that is wrong.
"""
import os.path as osp
from typing import Iterator, List, Optional, Tuple

from mmengine.config import Config

from ..datasets.image_files import not_an_image_reason

_REMOTE_PREFIXES = ('http://', 'https://', 'open-mmlab://', 's3://',
                    'torchvision://', 'mmcls://', 'pavi://')

#: Marks a problem of :func:`find_dataset_problems` that is an unreadable
#: file, not a missing one.
UNREADABLE = ' is unreadable ('

_SPLIT_KEYS = {
    'train': ('train_dataloader', 'val_dataloader'),
    'val': ('val_dataloader', ),
    'test': ('test_dataloader', ),
}


def _is_local(path: Optional[str]) -> bool:
    return isinstance(path, str) and not path.startswith(_REMOTE_PREFIXES)


def iter_dataset_configs(node: dict,
                         key: str) -> Iterator[Tuple[str, dict]]:
    """Yield ``(config key, dataset cfg)`` through dataset wrappers."""
    if 'datasets' in node:
        for i, child in enumerate(node['datasets']):
            yield from iter_dataset_configs(child, f'{key}.datasets[{i}]')
    elif isinstance(node.get('dataset'), dict):
        yield from iter_dataset_configs(node['dataset'], f'{key}.dataset')
    else:
        yield key, node


def find_dataset_problems(cfg: Config,
                          mode: str,
                          verify_images: bool = False) -> List[str]:
    """List missing data folders and files of the dataloaders ``mode`` uses.

    Each dataset is built with mmseg's own file scan (so the image to label
    name mapping is the dataset's), then every listed image and label file
    is checked.

    Args:
        cfg: Full config (``default_scope`` set).
        mode: ``'train'`` (train and val loaders), ``'val'`` or ``'test'``.
        verify_images: Also read every image file through Pillow's
            integrity check (truncated or corrupt files are listed).

    Returns:
        Human-readable problems, each naming the config key and the path.
    """
    from mmengine.registry import DATASETS, init_default_scope
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    problems: List[str] = []
    for loader_key in _SPLIT_KEYS[mode]:
        loader = cfg.get(loader_key)
        if not loader:
            continue
        for key, dataset_cfg in iter_dataset_configs(
                loader['dataset'], f'{loader_key}.dataset'):
            problems += _dataset_problems(DATASETS, key, dataset_cfg,
                                          verify_images)
    return problems


def _unreadable(path: str) -> Optional[str]:
    from PIL import Image
    try:
        with Image.open(path) as image:
            image.verify()
    except Exception as error:  # Pillow raises many types for bad files
        reason = not_an_image_reason(path, error)
        return f'it is {reason}' if reason else \
            f'{type(error).__name__}: {error}'
    return None


def find_folder_problems(key: str, dataset_cfg: dict) -> List[str]:
    """The first missing ``data_root`` or ``data_prefix`` folder of one
    dataset config (``key`` names it in the message), else ``[]``."""
    data_root = dataset_cfg.get('data_root')
    if data_root and not osp.isdir(data_root):
        return [f'{key}.data_root: folder {data_root!r} does not exist']
    for name, prefix in (dataset_cfg.get('data_prefix') or {}).items():
        folder = osp.join(data_root or '', prefix)
        if prefix and not osp.isdir(folder):
            return [f'{key}.data_prefix.{name}: folder {folder!r} does not '
                    'exist']
    return []


def build_file_listing(registry, dataset_cfg: dict):
    """The dataset of ``dataset_cfg`` with its file list loaded (the
    dataset class's own scan), its pipeline built but not run."""
    # serialize_data=False keeps data_list readable (and an empty one legal).
    dataset = registry.build(
        dict(dataset_cfg, lazy_init=True, serialize_data=False))
    dataset.full_init()
    return dataset


def empty_dataset_problem(key: str, dataset_cfg: dict) -> str:
    return (f'{key}: no images found under {dataset_cfg.get("data_root")!r}'
            f' with {dataset_cfg.get("data_prefix")}')


def _dataset_problems(registry, key: str, dataset_cfg: dict,
                      verify_images: bool) -> List[str]:
    folders = find_folder_problems(key, dataset_cfg)
    if folders:
        return folders
    dataset = build_file_listing(registry, dataset_cfg)
    problems = []
    if len(dataset) == 0:
        problems.append(empty_dataset_problem(key, dataset_cfg))
    for info in dataset.data_list:
        for field in ('img_path', 'seg_map_path'):
            path = info.get(field)
            if path and not osp.isfile(path):
                problems.append(f'{key}: {field} file {path!r} is missing')
            elif path and verify_images and field == 'img_path':
                error = _unreadable(path)
                if error:
                    problems.append(
                        f'{key}: image {path!r}{UNREADABLE}{error})')
        if len(problems) >= 10:
            problems.append('(further missing files not listed)')
            break
    return problems


def find_checkpoint_problems(cfg: Config,
                             include_pretrained: bool = True) -> List[str]:
    """List local checkpoint paths in the config that do not exist.

    Checks ``load_from`` and, when ``include_pretrained`` (training),
    ``model.pretrained`` and a ``Pretrained`` init_cfg of the backbone.
    Remote URLs are not checked (and cannot be downloaded on an offline
    machine).
    """
    problems = []
    candidates = [('load_from', cfg.get('load_from'))]
    model = cfg.get('model', {})
    init_cfg = model.get('backbone', {}).get('init_cfg') or {}
    if include_pretrained:
        candidates.append(('model.pretrained', model.get('pretrained')))
    if include_pretrained and isinstance(
            init_cfg, dict) and init_cfg.get('type') == 'Pretrained':
        candidates.append(('model.backbone.init_cfg.checkpoint',
                           init_cfg.get('checkpoint')))
    for key, path in candidates:
        if _is_local(path) and not osp.isfile(osp.expanduser(path)):
            hint = ' (set it to None to train from scratch)' \
                if key != 'load_from' else ''
            problems.append(f'{key}: checkpoint file {path!r} not found{hint}')
    return problems


class UnreadableFileError(OSError):
    """A file the config points at exists but cannot be read as what it
    should be (a truncated or empty image)."""


def check_config_paths(cfg: Config,
                       mode: str,
                       verify_images: bool = False) -> None:
    """Raise one error listing every missing data folder, file or checkpoint.

    Args:
        cfg: Full config.
        mode: ``'train'``, ``'val'`` or ``'test'``.
        verify_images: Also check every image can be read.

    Raises:
        FileNotFoundError: Something the config points at is missing (the
            message also lists unreadable files).
        UnreadableFileError: Nothing is missing, but files are unreadable.
    """
    problems = find_checkpoint_problems(
        cfg, include_pretrained=mode == 'train') + find_dataset_problems(
            cfg, mode, verify_images)
    unreadable = [p for p in problems if UNREADABLE in p]
    missing = [p for p in problems if UNREADABLE not in p]
    if missing:
        also = ('\nUnreadable files:\n  ' + '\n  '.join(unreadable)
                if unreadable else '')
        raise FileNotFoundError('Config points at missing paths:\n  ' +
                                '\n  '.join(missing) + also)
    if unreadable:
        raise UnreadableFileError('Config points at unreadable files:\n  ' +
                                  '\n  '.join(unreadable))
