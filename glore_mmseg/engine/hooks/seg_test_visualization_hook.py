"""mmseg's visualization hook, usable on every test batch."""
from types import SimpleNamespace
from typing import Sequence

from mmseg.engine.hooks import SegVisualizationHook
from mmseg.registry import HOOKS
from mmseg.structures import SegDataSample


@HOOKS.register_module()
class SegTestVisualizationHook(SegVisualizationHook):
    """``SegVisualizationHook`` whose test drawings do not touch training.

    mmseg's hook records each drawing at ``runner.iter``, the train loop's
    counter: reading it builds the train loop and its dataloader, which a
    test-only config (or a machine without the training data) cannot do.
    Test drawings are recorded at step 0 instead, as mmpretrain's hook does.

    Args:
        draw: Draw the predictions.
        interval: Draw every ``interval``-th batch (1: every image).
        **kwargs: Passed to ``SegVisualizationHook``.
    """

    def __init__(self, draw: bool = True, interval: int = 1,
                 **kwargs) -> None:
        super().__init__(draw=draw, interval=interval, **kwargs)

    def after_test_iter(self, runner, batch_idx: int, data_batch: dict,
                        outputs: Sequence[SegDataSample]) -> None:
        self._after_iter(
            SimpleNamespace(iter=0), batch_idx, data_batch, outputs,
            mode='test')
