"""A progress bar over the test loop."""
import sys
from typing import Optional

from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.registry import HOOKS
from mmengine.utils import ProgressBar


@HOOKS.register_module()
class ProgressBarHook(Hook):
    """Show mmengine's ``ProgressBar`` while the test loop runs (rank 0).

    The logger hook prints a line every ``interval`` iterations; a long
    export (1,525 Cityscapes test images) is easier to follow as one bar
    with the rate and the time left. Registered in mmengine's root
    ``HOOKS``, so mmseg and mmpretrain configs (any default scope) find it.

    Args:
        stream: ``'stdout'`` or ``'stderr'``.
    """
    # Before the LoggerHook, so the bar ends before the metrics line.
    priority = 'VERY_HIGH'

    def __init__(self, stream: str = 'stdout') -> None:
        if stream not in ('stdout', 'stderr'):
            raise ValueError(f"stream must be 'stdout' or 'stderr', "
                             f'got {stream!r}')
        self.stream = stream
        self._bar: Optional[ProgressBar] = None

    def before_test(self, runner) -> None:
        if is_main_process():
            self._bar = ProgressBar(
                len(runner.test_dataloader),
                file=getattr(sys, self.stream))

    def after_test_iter(self, runner, batch_idx, data_batch=None,
                        outputs=None) -> None:
        if self._bar is not None:
            self._bar.update()

    def after_test_epoch(self, runner, metrics=None) -> None:
        if self._bar is not None:
            self._bar.file.write('\n')
            self._bar = None
