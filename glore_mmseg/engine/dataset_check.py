"""Scan a whole data split before a long run: every image and label file.

The split's dataset is built from the config with its own dataset class (so
the image to label mapping, ``reduce_zero_label`` and ``label_map`` are the
dataset's), then every sample is read as training reads it
(``LoadImageFromFile``, ``LoadAnnotations``) and checked with
:class:`~glore_mmseg.datasets.transforms.CheckSegMap`: missing and
unreadable or truncated files, labels of another size than their image and
label values that are neither a class nor the ignore index, and a decoded
cache file (``tools/build_decoded_cache.py``) that no longer matches its PNG
or is damaged. Images and labels are decoded with Pillow, which refuses
truncated PNG and JPEG files.
"""
import os.path as osp
import sys
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Dict, List, Optional, TextIO, Tuple

from mmengine.config import Config

from ..datasets.image_files import not_an_image_reason
from .config_checks import (build_file_listing, empty_dataset_problem,
                            find_folder_problems, iter_dataset_configs)

#: Problem kinds in the order the summary lists them.
PROBLEM_KINDS = ('missing folder', 'no samples', 'missing file',
                 'unreadable image', 'unreadable label', 'channels', 'size',
                 'values', 'stale cache')


@dataclass
class DatasetReport:
    """What a scan of one dataset found.

    Attributes:
        key: Config key of the dataset, e.g.
            ``'train_dataloader.dataset'``.
        num_samples: Samples scanned.
        problems: Problem kind -> one message per sample (or folder), each
            naming the file(s).
    """
    key: str
    num_samples: int = 0
    problems: Dict[str, List[str]] = field(default_factory=OrderedDict)

    def add(self, kind: str, message: str) -> None:
        self.problems.setdefault(kind, []).append(message)

    @property
    def num_problems(self) -> int:
        return sum(len(messages) for messages in self.problems.values())

    def format(self, show: int = 5) -> str:
        """A summary: counts by problem, the first ``show`` of each."""
        if not self.problems:
            return (f'{self.key}: {self.num_samples} samples checked, no '
                    'problems')
        count = self.num_problems
        lines = [
            f'{self.key}: {self.num_samples} samples checked, {count} '
            f"problem{'s' if count > 1 else ''}"
        ]
        for kind in sorted(self.problems, key=PROBLEM_KINDS.index):
            messages = self.problems[kind]
            lines.append(f'  {kind}: {len(messages)}')
            lines += [f'    {message}' for message in messages[:show]]
            if len(messages) > show:
                lines.append(f'    ... and {len(messages) - show} more')
        return '\n'.join(lines)


def check_sample(task: Tuple[dict, dict]) -> Optional[Tuple[str, str]]:
    """Read and check one sample.

    Args:
        task: ``(data_info, settings)``: the dataset's info dict of the
            sample (``img_path``, ``seg_map_path``, ``reduce_zero_label``,
            ...) and ``dict(num_classes, ignore_index, backend_args)``.

    Returns:
        ``None`` or the sample's first problem, ``(kind, message)``.
    """
    from mmcv.transforms import LoadImageFromFile
    from mmseg.datasets.transforms import LoadAnnotations

    from ..datasets.transforms import CheckSegMap

    results, settings = task
    backend_args = settings.get('backend_args')
    steps = (
        ('img_path', 'image',
         LoadImageFromFile(
             imdecode_backend='pillow', backend_args=backend_args)),
        ('seg_map_path', 'label',
         LoadAnnotations(imdecode_backend='pillow',
                         backend_args=backend_args)),
    )
    for path_key, name, load in steps:
        path = results.get(path_key)
        if path is None:
            return None  # a split without labels: images only
        try:
            load(results)
        except FileNotFoundError:
            return 'missing file', f'{name} {path!r} does not exist'
        except Exception as error:  # decoders raise many types
            reason = not_an_image_reason(path, error)
            return f'unreadable {name}', (
                f'{name} {path!r} is {reason}' if reason else
                f'{name} {path!r}: {type(error).__name__}: {error}')
    problem = CheckSegMap(settings['num_classes'], settings['ignore_index'],
                          backend_args).find_problem(results)
    return problem or _cache_problem(results)


def _cache_problem(results: dict) -> Optional[Tuple[str, str]]:
    """A decoded cache file of the sample that does not match its PNG."""
    from ..datasets.transforms.decoded_cache import (cache_path,
                                                     check_cache_file,
                                                     load_cache_file)
    for key, channels in (('img_path', 3), ('seg_map_path', 1)):
        png = results.get(key)
        if not png or not osp.isfile(cache_path(png)):
            continue
        try:
            check_cache_file(png, cache_path(png),
                             load_cache_file(cache_path(png)), channels)
        except ValueError as error:
            return 'stale cache', str(error)
    return None


def _check_settings(dataset_cfg: dict, num_classes: int) -> dict:
    """Ignore index and file backend of the dataset's own pipeline."""
    settings = dict(num_classes=num_classes, ignore_index=255,
                    backend_args=None)
    for step in dataset_cfg.get('pipeline') or []:
        if not isinstance(step, dict):
            continue
        if step.get('type') == 'CheckSegMap':
            settings['ignore_index'] = step.get('ignore_index', 255)
        elif step.get('type') == 'LoadImageFromFile':
            settings['backend_args'] = step.get('backend_args')
    return settings


def check_dataset(cfg: Config,
                  split: str = 'train',
                  workers: int = 1,
                  file: Optional[TextIO] = None) -> List[DatasetReport]:
    """Scan every sample of a split, with a progress bar.

    Args:
        cfg: Full config (``default_scope`` set).
        split: ``'train'``, ``'val'`` or ``'test'``: the
            ``<split>_dataloader`` whose dataset(s) are scanned.
        workers: Processes reading files (1: in this process).
        file: Where the progress bar goes; default ``sys.stdout`` as it
            is at the call.

    Returns:
        One report per dataset (several for a ``ConcatDataset``).

    Raises:
        KeyError: The config has no ``<split>_dataloader``.
    """
    from mmengine.registry import DATASETS, init_default_scope
    from mmengine.utils import track_parallel_progress, track_progress

    file = sys.stdout if file is None else file
    loader_key = f'{split}_dataloader'
    if not cfg.get(loader_key):
        raise KeyError(f'the config has no {loader_key}')
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    reports = []
    for key, dataset_cfg in iter_dataset_configs(cfg[loader_key]['dataset'],
                                                 f'{loader_key}.dataset'):
        report = DatasetReport(key)
        reports.append(report)
        for problem in find_folder_problems(key, dataset_cfg):
            report.add('missing folder', problem)
        if report.problems:
            continue
        dataset = build_file_listing(DATASETS, dataset_cfg)
        if len(dataset) == 0:
            report.add('no samples', empty_dataset_problem(key, dataset_cfg))
            continue
        settings = _check_settings(dataset_cfg,
                                   len(dataset.metainfo['classes']))
        tasks = [(dataset.get_data_info(i), settings)
                 for i in range(len(dataset))]
        print(f'Checking {len(tasks)} samples of {key}', file=file)
        if workers > 1:
            found = track_parallel_progress(
                check_sample, tasks, nproc=workers, chunksize=4, file=file)
        else:
            found = track_progress(check_sample, tasks, file=file)
        report.num_samples = len(tasks)
        for problem in filter(None, found):
            report.add(*problem)
    return reports
