"""Write an export wrapper to an ONNX file, atomically, with metadata."""
import json
import os
import os.path as osp
import tempfile
from contextlib import contextmanager
from typing import Dict, Iterator, Optional, Sequence

import torch
from torch import nn

#: Input name of every exported graph.
INPUT_NAME = 'image'
#: Batch, height and width of the example input of a dynamic export (a
#: batch of 1 would be specialised to 1 by the exporters).
DEFAULT_EXAMPLE_SHAPE = (2, 3, 256, 512)


@contextmanager
def atomic_output(path: str, suffix: str = '.onnx') -> Iterator[str]:
    """A temporary file beside ``path``, renamed to ``path`` on success and
    removed on any error: a failed write leaves neither file behind."""
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        dir=folder, prefix=f'.{osp.basename(path)}.', suffix=suffix)
    os.close(handle)
    try:
        yield temporary
        # mkstemp creates the file 0600; give it the usual permissions.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    finally:
        if osp.exists(temporary):
            os.remove(temporary)


def _dynamic_axes(output_name: str, output_rank: int) -> Dict:
    axes = {0: 'batch', 2: 'height', 3: 'width'}
    if output_rank == 4:
        output_axes = axes
    elif output_rank == 3:  # labels (N, H, W)
        output_axes = {0: 'batch', 1: 'height', 2: 'width'}
    else:  # scores (N, num_classes)
        output_axes = {0: 'batch'}
    return {INPUT_NAME: axes, output_name: output_axes}


def _write_metadata(path: str, metadata: Dict[str, object]) -> None:
    import onnx
    proto = onnx.load(path)
    del proto.metadata_props[:]
    for key, value in metadata.items():
        entry = proto.metadata_props.add()
        entry.key = key
        entry.value = json.dumps(value)
    onnx.save(proto, path)


def export_onnx(model: nn.Module,
                path: str,
                output_name: str,
                shape: Optional[Sequence[int]] = None,
                opset: Optional[int] = None,
                legacy: bool = False,
                metadata: Optional[Dict[str, object]] = None) -> str:
    """Export ``model`` (one image tensor in, one tensor out) to ``path``.

    Args:
        model: An export wrapper (:mod:`.export_model`), eval mode.
        path: The ``.onnx`` file to write (replaced if present).
        output_name: ``'logits'``, ``'labels'`` or ``'scores'``.
        shape: (H, W) of a static graph; None: dynamic N, H and W.
        opset: ONNX opset; None: the exporter's default.
        legacy: The TorchScript exporter (``dynamo=False``) instead of
            ``torch.export``'s.
        metadata: Written JSON-encoded into the file's ``metadata_props``
            (class names, palette, the graph's contract).

    Returns:
        ``path``.
    """
    dynamic = shape is None
    if dynamic:
        example = torch.rand(DEFAULT_EXAMPLE_SHAPE) * 255
    else:
        example = torch.rand(1, 3, *shape) * 255
    with torch.no_grad():
        output_rank = model(example).dim()
    options = dict(input_names=[INPUT_NAME], output_names=[output_name])
    if opset is not None:
        options['opset_version'] = opset
    with atomic_output(path) as temporary, torch.no_grad():
        if legacy:
            if dynamic:
                options['dynamic_axes'] = _dynamic_axes(output_name,
                                                        output_rank)
            torch.onnx.export(model, (example, ), temporary, dynamo=False,
                              **options)
        else:
            if dynamic:
                dims = torch.export.Dim.DYNAMIC
                options['dynamic_shapes'] = {
                    INPUT_NAME: {0: dims, 2: dims, 3: dims}}
            program = torch.onnx.export(model, (example, ), dynamo=True,
                                        verbose=False, **options)
            program.save(temporary, external_data=False)
        _write_metadata(temporary, dict(metadata or {}))
    return path


def read_metadata(path: str) -> Dict[str, object]:
    """The JSON-decoded ``metadata_props`` :func:`export_onnx` wrote."""
    import onnx
    proto = onnx.load(path, load_external_data=False)
    return {entry.key: json.loads(entry.value)
            for entry in proto.metadata_props}
