"""Renamed keyword arguments: the old names work for a release, and warn."""
import pytest
import torch

from glore_mmseg.ops import CovPooling, GSoPBlock
from glore_mmseg.ops.deprecation import renamed_kwargs


@pytest.mark.parametrize('cls, old, new, value, attr', [
    (GSoPBlock, 'dim', 'reduced_channels', 24,
     lambda m: m.channel_reduce[1].out_channels),
    (CovPooling, 'order', 'triangle_order', 'row',
     lambda m: m.triangle_order),
])
def test_old_name_still_works_and_warns(cls, old, new, value, attr):
    with pytest.warns(FutureWarning,
                      match=f"{cls.__name__}: the argument '{old}' is "
                      f"deprecated .* use '{new}'"):
        module = cls(64, **{old: value})
    assert attr(module) == value
    # Same module as with the new name: same parameter shapes.
    current = cls(64, **{new: value})
    assert [p.shape for p in module.parameters()] == \
        [p.shape for p in current.parameters()]


def test_old_and_new_name_together_is_an_error():
    with pytest.raises(TypeError, match="both 'dim' .* 'reduced_channels'"):
        GSoPBlock(64, dim=8, reduced_channels=16)


def test_new_name_does_not_warn(recwarn):
    CovPooling(16, reduced_channels=4, triangle_order='row')
    GSoPBlock(64, reduced_channels=8)
    assert not [w for w in recwarn if w.category is FutureWarning]


def test_renamed_function_reports_the_caller():

    @renamed_kwargs(size='length')
    def ones(length):
        return torch.ones(length)

    with pytest.warns(FutureWarning) as record:
        assert ones(size=3).shape == (3, )
    assert record[0].filename == __file__
