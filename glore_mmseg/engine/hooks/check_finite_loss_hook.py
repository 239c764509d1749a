"""Stop training at the first non-finite loss; never save non-finite weights.
"""
import math
import os.path as osp
from typing import Dict, Optional

import torch
from mmengine.dist import all_reduce, get_world_size
from mmengine.hooks import Hook
from mmengine.registry import HOOKS

GRAD_NORM_KEY = 'train/grad_norm'
_MAX_NAMED_TENSORS = 5


def _as_floats(values: Dict[str, object]) -> Dict[str, float]:
    """``values`` as Python floats (tensors by their mean), with one
    device-to-host copy for all tensors instead of one per loss term."""
    tensors = {name: value for name, value in values.items()
               if isinstance(value, torch.Tensor)}
    floats = {name: float(value) for name, value in values.items()
              if name not in tensors}
    if tensors:
        means = torch.stack(
            [value.detach().float().mean() for value in tensors.values()])
        floats.update(zip(tensors, means.tolist()))
    return {name: floats[name] for name in values}


@HOOKS.register_module()
class CheckFiniteLossHook(Hook):
    """Raise ``FloatingPointError`` when a loss or the gradient norm is NaN
    or infinite, and refuse to save a checkpoint with non-finite weights.

    The check runs after each training iteration, before the checkpoint
    hook (which has a lower priority) could save that iteration, so the
    newest checkpoint and ``last_checkpoint`` stay the last good ones. The
    gradient norm is checked when the optimizer wrapper logs it
    (``clip_grad`` set) and does not use a dynamic loss scaler (AMP skips
    steps with infinite gradients by design). In distributed runs every
    process stops at the same iteration.
    """
    priority = 'VERY_HIGH'

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs: Optional[dict] = None) -> None:
        values = _as_floats({
            name: value
            for name, value in (outputs or {}).items() if 'loss' in name
        })
        grad_norm = self._grad_norm(runner)
        if grad_norm is not None:
            values['grad_norm'] = grad_norm
        bad = torch.tensor(
            float(any(not math.isfinite(v) for v in values.values())))
        if get_world_size() > 1:
            all_reduce(bad, op='sum')
        if bad.item() == 0:
            return
        terms = ', '.join(f'{name}={value}' for name, value in values.items())
        raise FloatingPointError(
            f'Non-finite loss at iteration {runner.iter + 1}: {terms}. '
            'Training stopped before saving '
            'this iteration; the last good checkpoint is the one named in '
            f'{osp.join(runner.work_dir, "last_checkpoint")}. Lower the '
            'learning rate, set optim_wrapper.clip_grad, or check the data.')

    @staticmethod
    def _grad_norm(runner) -> Optional[float]:
        optim_wrapper = runner.optim_wrapper
        if not getattr(optim_wrapper, 'clip_grad_kwargs', None) or hasattr(
                optim_wrapper, 'loss_scaler'):
            return None
        scalars = runner.message_hub.log_scalars
        if GRAD_NORM_KEY not in scalars:
            return None
        return float(scalars[GRAD_NORM_KEY].current())

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        bad = _non_finite_tensors(checkpoint.get('state_dict', {}))
        if bad:
            names = ', '.join(list(bad)[:_MAX_NAMED_TENSORS])
            more = len(bad) - _MAX_NAMED_TENSORS
            names += f' and {more} more' if more > 0 else ''
            meta = checkpoint.get('meta', {})
            raise FloatingPointError(
                'Refused to save the checkpoint of iteration '
                f'{meta.get("iter")}: non-finite weights in {names}. '
                'Training stopped; the last good checkpoint is the one named '
                f'in {osp.join(runner.work_dir, "last_checkpoint")}.')


def _non_finite_tensors(state_dict: Dict[str, torch.Tensor]) -> Dict:
    """The floating-point entries of ``state_dict`` holding NaN or Inf."""
    return {
        name: tensor
        for name, tensor in state_dict.items()
        if isinstance(tensor, torch.Tensor) and tensor.is_floating_point()
        and not bool(torch.isfinite(tensor).all())
    }
