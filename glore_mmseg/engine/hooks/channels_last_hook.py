"""Channels-last memory format for the runner's model."""
import torch
from mmengine.hooks import Hook
from mmengine.registry import HOOKS


@HOOKS.register_module()
class ChannelsLastHook(Hook):
    """Store the model's 4D weights channels-last (NHWC) before the run.

    Convolutions with a channels-last weight produce channels-last outputs,
    so the whole network then runs in the layout GPU tensor cores and
    oneDNN prefer, without touching the data pipeline. The parameters stay
    the same objects (the optimizer keeps them); checkpoints load into them
    in place. Registered in mmengine's root ``HOOKS``.
    """
    # Before weights are initialised or loaded and before compilation.
    priority = 'VERY_HIGH'

    def before_run(self, runner) -> None:
        runner.model.to(memory_format=torch.channels_last)
