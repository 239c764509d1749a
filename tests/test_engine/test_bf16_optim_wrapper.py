import torch
from mmengine.optim import OptimWrapper
from mmengine.registry import OPTIM_WRAPPERS


def test_forward_runs_in_bf16_and_steps_without_a_scaler():
    model = torch.nn.Linear(8, 4)
    wrapper = OPTIM_WRAPPERS.build(dict(
        type='BF16OptimWrapper',
        optimizer=torch.optim.SGD(model.parameters(), lr=0.1, fused=True)))
    assert isinstance(wrapper, OptimWrapper)
    assert not hasattr(wrapper, 'loss_scaler')
    x = torch.randn(2, 8)
    with wrapper.optim_context(model):
        out = model(x)
    assert out.dtype == torch.bfloat16
    assert model(x).dtype == torch.float32  # autocast ends with the context
    before = model.weight.detach().clone()
    wrapper.update_params(out.float().square().sum())
    # Plain SGD step: w - lr * grad, the gradient unscaled.
    assert model.weight.grad is None  # update_params zeroes it
    assert not torch.equal(model.weight, before)
