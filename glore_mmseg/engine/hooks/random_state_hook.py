"""Save the random generators in checkpoints so a resumed run is exact."""
import random
from typing import Any, Dict, Iterator, Optional

import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.registry import HOOKS

RANDOM_STATE_KEY = 'random_state'


def get_random_state() -> Dict[str, Any]:
    """The state of Python's, NumPy's and torch's global generators.

    Returns:
        Plain Python values and uint8 tensors only, so a weights-only
        ``torch.load`` reads them back.
    """
    kind, key, pos, has_gauss, gauss = np.random.get_state()
    version, internal, gauss_next = random.getstate()
    state = dict(
        python=dict(
            version=version, internal=list(internal), gauss_next=gauss_next),
        numpy=dict(
            kind=kind,
            key=key.tolist(),
            pos=int(pos),
            has_gauss=int(has_gauss),
            gauss=float(gauss)),
        torch=torch.get_rng_state())
    if torch.cuda.is_available():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def set_random_state(state: Dict[str, Any]) -> None:
    """Restore generators from :func:`get_random_state`'s result."""
    python = state['python']
    random.setstate((python['version'], tuple(python['internal']),
                     python['gauss_next']))
    numpy = state['numpy']
    np.random.set_state((numpy['kind'], np.asarray(numpy['key'],
                                                   dtype=np.uint32),
                         numpy['pos'], numpy['has_gauss'], numpy['gauss']))
    torch.set_rng_state(state['torch'])
    cuda = state.get('cuda')
    if cuda and torch.cuda.is_available() and len(
            cuda) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all(cuda)


class _RestoreBeforeBatch:
    """Pass batches through; restore ``state`` just before batch ``skip + 1``.

    mmengine resumes an iteration-based loop by fetching (and dropping) the
    batches already trained on; with ``num_workers=0`` those fetches run the
    random transforms in this process, so the generators are restored after
    them, right before the first new batch.
    """

    def __init__(self, iterator: Iterator, skip: int,
                 state: Dict[str, Any]) -> None:
        self._iterator = iterator
        self._skip = skip
        self._state: Optional[Dict[str, Any]] = state

    def __iter__(self) -> '_RestoreBeforeBatch':
        return self

    def __next__(self):
        if self._skip == 0 and self._state is not None:
            set_random_state(self._state)
            self._state = None
        self._skip -= 1
        return next(self._iterator)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._iterator, name)


@HOOKS.register_module()
class RandomStateHook(Hook):
    """Store the random generators in each checkpoint; restore on resume.

    With it, a run resumed from iteration N draws the same dropout masks
    and augmentations from N + 1 on as a run that never stopped:

    - the main process's Python, NumPy, torch (and CUDA) generator states
      are saved with every checkpoint and restored right before the first
      batch after the resumed iteration;
    - validation leaves the training generators as it found them (it runs
      after the checkpoint is saved, and creating its data-loader workers
      draws from torch's generator);
    - data-loader workers are seeded by mmengine from the run's seed and the
      skipped batches are replayed, so their generators are reproduced, not
      stored (``tools/train.py`` takes the seed from the checkpoint when the
      config sets none).

    Loading weights with ``load_from`` (no resume) leaves the generators
    alone. Only the saving process's generators are stored.
    """
    priority = 'LOWEST'

    def __init__(self) -> None:
        self._resumed_state: Optional[Dict[str, Any]] = None
        self._before_val_state: Optional[Dict[str, Any]] = None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint[RANDOM_STATE_KEY] = get_random_state()

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        self._resumed_state = checkpoint.get(RANDOM_STATE_KEY)

    def before_train(self, runner) -> None:
        state, self._resumed_state = self._resumed_state, None
        if state is None or (runner.iter == 0 and runner.epoch == 0):
            return  # nothing stored, or weights loaded without resuming
        loop = runner.train_loop
        if hasattr(loop, 'dataloader_iterator'):
            loop.dataloader_iterator = _RestoreBeforeBatch(
                loop.dataloader_iterator, runner.iter, state)
        else:
            # Epoch-based loops resume at an epoch start, skipping nothing.
            set_random_state(state)

    def before_val(self, runner) -> None:
        self._before_val_state = get_random_state()

    def after_val(self, runner) -> None:
        if self._before_val_state is not None:
            set_random_state(self._before_val_state)
            self._before_val_state = None
