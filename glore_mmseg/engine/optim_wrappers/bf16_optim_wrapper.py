"""bfloat16 autocast training without a gradient scaler."""
from contextlib import contextmanager
from typing import Iterator

import torch
from mmengine.optim import OptimWrapper
from mmengine.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class BF16OptimWrapper(OptimWrapper):
    """An ``OptimWrapper`` whose forward runs under bfloat16 autocast.

    bfloat16 has float32's exponent range, so gradients need no loss
    scaling. mmengine's ``AmpOptimWrapper`` still steps through a
    ``GradScaler``, which reads its inf check back to the host every
    iteration, and it refuses to run without an accelerator. This wrapper
    backpropagates and steps plainly (fused optimizers stay fused) and runs
    on any device: autocast follows the device of the model's parameters.
    Registered in mmengine's root ``OPTIM_WRAPPERS``.
    """

    @contextmanager
    def optim_context(self, model: torch.nn.Module) -> Iterator[None]:
        device = next(model.parameters()).device.type
        with super().optim_context(model), torch.autocast(
                device_type=device, dtype=torch.bfloat16):
            yield
