"""torch.compile of the modules a segmentor's steps run, and a check that
compilation produced graphs."""
import torch
from torch._dynamo.utils import counters


def compile_segmentor(model: torch.nn.Module, **options) -> torch.nn.Module:
    """Compile ``model``'s backbone, neck and heads in place.

    Compiling the segmentor object itself does not work for mmseg: its
    ``loss`` and ``encode_decode`` are plain methods, which a compiled
    wrapper hands back uncompiled. mmseg's heads call ``self.forward``
    directly (not ``self(...)``), so each module's ``forward`` attribute is
    replaced by its compiled version.

    Args:
        model: mmseg segmentor (``EncoderDecoder``).
        **options: ``torch.compile`` options (backend, mode, ...).

    Returns:
        ``model``.
    """
    modules = [model.backbone]
    if getattr(model, 'with_neck', False):
        modules.append(model.neck)
    modules.append(model.decode_head)
    auxiliary = getattr(model, 'auxiliary_head', None)
    if isinstance(auxiliary, torch.nn.ModuleList):
        modules.extend(auxiliary)
    elif auxiliary is not None:
        modules.append(auxiliary)
    for module in modules:
        module.forward = torch.compile(module.forward, **options)
    return model


def compiled_graph_count() -> int:
    """Graphs torch.compile (dynamo) has produced in this process so far."""
    return counters['stats']['unique_graphs']
