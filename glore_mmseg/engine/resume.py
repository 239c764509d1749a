"""Choose the checkpoint ``--resume`` continues from.

mmengine resumes from the path in ``work_dir/last_checkpoint`` and fails
when that file is empty or names a missing or truncated checkpoint, although
an older complete one may sit beside it. Here the named checkpoint is used
when it is complete, else the newest complete ``iter_N.pth`` /
``epoch_N.pth`` in the work_dir, with a warning saying so.
"""
import logging
import os
import os.path as osp
import re
import zipfile
from typing import List, Optional

from mmengine.config import Config
from mmengine.logging import print_log

LAST_CHECKPOINT = 'last_checkpoint'
_NUMBERED = re.compile(r'^(?:iter|epoch)_(\d+)\.pth$')


class IncompleteCheckpointError(ValueError):
    """A checkpoint file is empty or truncated (its save never finished)."""


def checkpoint_problem(path: str) -> Optional[str]:
    """Why ``path`` is not a complete checkpoint, or None when it is.

    ``torch.save`` writes a zip archive whose directory comes last, so a
    missing, empty or truncated file has no readable zip directory. The
    check reads only that directory, not the tensors.
    """
    if not osp.isfile(path):
        return 'the file does not exist'
    if osp.getsize(path) == 0:
        return 'the file is empty'
    try:
        with zipfile.ZipFile(path) as archive:
            if not any(name.endswith('data.pkl')
                       for name in archive.namelist()):
                return 'the archive holds no data.pkl'
    except (zipfile.BadZipFile, OSError) as error:
        return f'it is truncated or not a torch checkpoint ({error})'
    return None


def check_checkpoint_complete(path: str) -> None:
    """Raise naming ``path`` when it is not a complete checkpoint.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        IncompleteCheckpointError: ``path`` is empty or truncated.
    """
    problem = checkpoint_problem(path)
    if problem is None:
        return
    if not osp.isfile(path):
        raise FileNotFoundError(f'Checkpoint file not found: {path!r}')
    complete = numbered_checkpoints(osp.dirname(path) or '.')
    hint = (f'; complete checkpoints beside it: {complete}'
            if complete else '')
    raise IncompleteCheckpointError(
        f'Cannot resume from {path!r}: {problem} (a save that did not '
        f'finish){hint}')


def numbered_checkpoints(folder: str, complete: bool = True) -> List[str]:
    """``iter_N.pth`` / ``epoch_N.pth`` in ``folder``, newest first.

    Args:
        folder: Where to look.
        complete: List only complete checkpoints.
    """
    if not osp.isdir(folder):
        return []
    numbered = sorted(((int(match.group(1)), name)
                       for name in os.listdir(folder)
                       for match in [_NUMBERED.match(name)] if match),
                      reverse=True)
    paths = [osp.join(folder, name) for _, name in numbered]
    return [p for p in paths if not complete or checkpoint_problem(p) is None]


def find_resume_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint to resume from in ``work_dir``, or None to start anew.

    Args:
        work_dir: The run's work_dir (where ``last_checkpoint`` is).

    Returns:
        The path named in ``last_checkpoint`` when it is complete, else the
        newest complete numbered checkpoint (with a warning), else None when
        the work_dir holds no checkpoint file at all.

    Raises:
        IncompleteCheckpointError: There are checkpoint files, but none is
            complete (starting anew would overwrite them).
    """
    pointer = osp.join(work_dir, LAST_CHECKPOINT)
    named = ''
    if osp.isfile(pointer):
        with open(pointer) as f:
            named = f.read().strip()
    if named and checkpoint_problem(named) is None:
        return named
    # The hook's out_dir may hold them; a moved work_dir holds them itself.
    folders = list(
        dict.fromkeys(([osp.dirname(named)] if named else []) + [work_dir]))
    for folder in folders:
        complete = numbered_checkpoints(folder)
        if complete:
            print_log(
                f'{_pointer_problem(pointer, named)}; resuming from the '
                f'newest complete checkpoint {complete[0]!r} instead.',
                logger='current',
                level=logging.WARNING)
            return complete[0]
    if any(numbered_checkpoints(folder, complete=False) for folder in folders):
        raise IncompleteCheckpointError(
            f'Cannot resume in {work_dir!r}: '
            f'{_pointer_problem(pointer, named)} and no iter_N.pth / '
            f'epoch_N.pth in {" or ".join(map(repr, folders))} is complete. '
            'Nothing was overwritten; remove them or pass --resume '
            'CHECKPOINT.')
    if osp.isfile(pointer):
        print_log(
            f'{_pointer_problem(pointer, named)} and there is no '
            'checkpoint to resume from.',
            logger='current',
            level=logging.WARNING)
    return None


def _pointer_problem(pointer: str, named: str) -> str:
    if not osp.isfile(pointer):
        return f'{pointer!r} is missing'
    if not named:
        return f'{pointer!r} is empty'
    return f'{pointer!r} names {named!r}, but {checkpoint_problem(named)}'


def prepare_resume(cfg: Config) -> None:
    """Point a ``resume=True`` config at a complete checkpoint.

    ``cfg.load_from`` given: it must be complete. Not given: the one
    :func:`find_resume_checkpoint` picks, or no resume when the work_dir
    holds no checkpoint. The resumed run's seed is kept
    (:func:`use_checkpoint_seed`).

    Args:
        cfg: Full config with ``resume=True``, changed in place.

    Raises:
        FileNotFoundError: ``cfg.load_from`` does not exist.
        IncompleteCheckpointError: ``cfg.load_from`` is incomplete, or the
            work_dir holds only incomplete checkpoints.
    """
    if cfg.get('load_from'):
        check_checkpoint_complete(cfg.load_from)
    else:
        cfg.load_from = find_resume_checkpoint(cfg.work_dir)
        if cfg.load_from is None:
            cfg.resume = False
            print_log(f'No checkpoint in {cfg.work_dir!r} to resume from; '
                      'training from the start.', logger='current')
            return
        print_log(f'Auto resumed from the latest checkpoint {cfg.load_from}.',
                  logger='current')
    use_checkpoint_seed(cfg, cfg.load_from)


def use_checkpoint_seed(cfg: Config, checkpoint: str) -> None:
    """Set ``cfg.randomness.seed`` to the resumed run's when the config has
    none.

    mmengine builds the data loader (sampler order, worker seeds) before it
    reads the checkpoint's seed, so without this a resumed run with
    ``seed=None`` sees different data from the one it continues.
    """
    randomness = dict(cfg.get('randomness') or {})
    if randomness.get('seed') is not None:
        return
    from mmengine.runner.checkpoint import CheckpointLoader
    meta = CheckpointLoader.load_checkpoint(
        checkpoint, map_location='cpu', logger='silent').get('meta', {})
    if meta.get('seed') is not None:
        randomness['seed'] = meta['seed']
        cfg.randomness = randomness
