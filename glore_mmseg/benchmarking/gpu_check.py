"""One-command GPU check: training speed, memory, compilation, bf16 loss
curve and inference time of the GloRe segmentor against stock mmseg.

    bash tools/gpu_check.sh [--out FILE.json]    # about 8 minutes, 1 GPU
    bash tools/gpu_check.sh --smoke              # CPU, tiny models, < 1 min

Full run (CUDA): the GloRe fast bf16 config, stock FCN R50-D8 and stock
NonLocal R50-D8, interleaved: train img/s and peak memory on synthetic
2 x 512x1024 batches in bf16; the compiled graph count of the GloRe model
under ``torch.compile``; a ``--curve-iters`` (300) iteration loss curve of
the GloRe model on one fixed synthetic batch, bf16 against fp32 from the
same initial weights; whole-image 1024x2048 inference ms in PyTorch and,
if ``onnxruntime-gpu`` is installed, its CUDA provider. ``--smoke`` runs the
same code on the CPU with the ResNet-18 context-benchmark models at
2 x 64x128 (FCN, NonLocal, GloRe), 3 curve iterations, no compilation and
no ONNX, so the script cannot rot. Prints one table; ``--out`` writes JSON.
"""
import argparse
import copy
import json
import os.path as osp
from typing import Dict, List

import torch
from mmengine.config import Config

from ..engine.launch import replace_sync_bn
from ..package_data import CONFIG_DIR
from . import steps
from .compile import compile_segmentor, compiled_graph_count
from .interleaved import time_interleaved
from .peak_memory import cuda_peak_bytes
from .report import markdown_table
from .segmentors import _build, stock_config
from .timing import write_json

FULL_MODELS = {
    'GloRe (fast bf16 config)': osp.join(
        CONFIG_DIR, 'glore',
        'glore_r50-d8_4xb2-amp-bf16-fast-80k_cityscapes-512x1024.py'),
    'FCN': stock_config('FCN'),
    'NonLocal': stock_config('NonLocal'),
}
SMOKE_MODELS = {
    name: osp.join(CONFIG_DIR, 'context_benchmark', file)
    for name, file in (
        ('GloRe', 'glore_r18-s8_1xb8-1k_context-cue-64x320.py'),
        ('FCN', 'fcn_r18-s8_1xb8-1k_context-cue-64x320.py'),
        ('NonLocal', 'nonlocal_r18-s8_1xb8-1k_context-cue-64x320.py'))
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--smoke', action='store_true',
                        help='CPU, tiny models, < 1 minute')
    parser.add_argument('--curve-iters', type=int, default=300)
    parser.add_argument('--rounds', type=int, default=10)
    parser.add_argument('--out', help='write the results as JSON here')
    args = parser.parse_args(argv)
    if args.smoke:
        args.curve_iters = min(args.curve_iters, 3)
        args.rounds = min(args.rounds, 2)
    return args


def model_config(config: str, smoke: bool):
    """The model of ``config`` with random weights and plain BN; the smoke
    models predict the 19 classes of the synthetic batches."""
    model_cfg = copy.deepcopy(Config.fromfile(config).model)
    model_cfg.pretrained = None
    model_cfg.backbone.init_cfg = None
    if smoke:
        for head in ('decode_head', 'auxiliary_head'):
            if model_cfg.get(head):
                model_cfg[head].num_classes = 19
    return replace_sync_bn(model_cfg)


def build(config: str, device: str, smoke: bool) -> torch.nn.Module:
    torch.manual_seed(0)
    return _build(model_config(config, smoke), device)


def train_speed(models: Dict[str, str], shape: List[int], device: str,
                smoke: bool, rounds: int) -> List[Dict]:
    """Interleaved bf16 train img/s and (CUDA) peak memory per model."""
    callables = {name: steps.train_step(build(config, device, smoke), shape,
                                        device, 'bf16')
                 for name, config in models.items()}
    stats = time_interleaved(callables, device, warmup=1, rounds=rounds)
    rows = []
    for name, stat in stats.items():
        row = dict(check='train bf16', model=name,
                   img_per_s=shape[0] / stat['median_s'],
                   median_ms=stat['median_s'] * 1e3)
        if device.startswith('cuda'):
            row['peak_gb'] = cuda_peak_bytes(callables[name],
                                             device)['peak_bytes'] / 1e9
        rows.append(row)
    return rows


def graph_count(config: str, shape: List[int], device: str,
                smoke: bool) -> Dict:
    """Graphs ``torch.compile`` makes of one bf16 train step."""
    model = build(config, device, smoke)
    compile_segmentor(model)
    before = compiled_graph_count()
    steps.train_step(model, shape, device, 'bf16')()
    return dict(check='torch.compile', model='GloRe',
                graphs=compiled_graph_count() - before)


def loss_curves(config: str, shape: List[int], device: str, smoke: bool,
                iters: int) -> List[Dict]:
    """Loss per iteration on one fixed synthetic batch, bf16 and fp32,
    from the same initial weights (SGD, lr 1e-2)."""
    from .segmentors import synthetic_batch
    inputs, samples = synthetic_batch(*shape, device)
    initial = build(config, device, smoke).state_dict()
    curves = {}
    for precision in ('fp32', 'bf16'):
        model = build(config, device, smoke)
        model.load_state_dict(initial)
        model.train()
        optimizer = torch.optim.SGD(model.parameters(), lr=1e-2,
                                    momentum=0.9)
        losses = []
        for _ in range(iters):
            optimizer.zero_grad(set_to_none=True)
            with steps.autocast(device, precision):
                loss, _ = model.parse_losses(model.loss(inputs, samples))
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        curves[precision] = losses
    gap = max(abs(a - b) for a, b in zip(curves['fp32'], curves['bf16']))
    return [dict(check=f'loss curve ({iters} it)', model='GloRe',
                 precision=precision, first_loss=losses[0],
                 last_loss=losses[-1], max_gap_to_fp32=gap,
                 curve=losses)
            for precision, losses in curves.items()]


def inference_ms(config: str, shape: List[int], device: str, smoke: bool,
                 rounds: int, onnx: bool) -> List[Dict]:
    """Whole-image inference: PyTorch fp32 and bf16, onnxruntime if asked
    and its CUDA provider is installed (on the CPU: its CPU provider)."""
    model = build(config, device, smoke)
    callables = {
        precision: steps.inference_step(model, shape, device, precision)
        for precision in ('fp32', 'bf16')
    }
    if onnx:
        callables.update(_onnx_inference(config, shape, device))
    stats = time_interleaved(callables, device, warmup=1, rounds=rounds)
    return [dict(check=f'inference {shape[0]}x{shape[1]}', model='GloRe',
                 precision=name, median_ms=stat['median_s'] * 1e3)
            for name, stat in stats.items()]


def _onnx_inference(config: str, shape: List[int], device: str) -> Dict:
    import importlib.util
    import tempfile
    if not importlib.util.find_spec('onnxruntime'):
        return {}
    import numpy as np
    import onnxruntime as ort

    from ..deploy.export_model import build_export_model
    from ..deploy.onnx_export import export_onnx
    provider = ('CUDAExecutionProvider' if device.startswith('cuda') else
                'CPUExecutionProvider')
    if provider not in ort.get_available_providers():
        return {}
    model, _ = build_export_model(Config.fromfile(config), None)
    path = osp.join(tempfile.mkdtemp(), 'model.onnx')
    export_onnx(model, path, 'logits', shape=tuple(shape))
    session = ort.InferenceSession(path, providers=[provider])
    image = np.random.default_rng(0).random(
        (1, 3, *shape), dtype=np.float32) * 255
    return {f'onnxruntime ({provider})':
            lambda: session.run(None, {'image': image})}


def main(argv=None) -> List[Dict]:
    args = parse_args(argv)
    if args.smoke:
        device, models = 'cpu', SMOKE_MODELS
        train_shape, infer_shape = [2, 64, 128], [64, 128]
    else:
        if not torch.cuda.is_available():
            raise SystemExit('error: no CUDA device (use --smoke on a CPU)')
        device, models = 'cuda', FULL_MODELS
        train_shape, infer_shape = [2, 512, 1024], [1024, 2048]
    glore = next(iter(models.values()))
    results = train_speed(models, train_shape, device, args.smoke,
                          args.rounds)
    if not args.smoke:
        results.append(graph_count(glore, train_shape, device, args.smoke))
    results += loss_curves(glore, train_shape, device, args.smoke,
                           args.curve_iters)
    results += inference_ms(glore, infer_shape, device, args.smoke,
                            args.rounds, onnx=not args.smoke)
    name = torch.cuda.get_device_name(device) if device == 'cuda' else 'CPU'
    print(f'\n{name}; train {train_shape}, inference {infer_shape}\n')
    print(markdown_table(results, [
        ('check', 'check'), ('model', 'model'), ('precision', 'precision'),
        ('img/s', 'img_per_s'), ('median ms', 'median_ms'),
        ('peak GB', 'peak_gb'), ('graphs', 'graphs'),
        ('first loss', 'first_loss'), ('last loss', 'last_loss'),
        ('max |bf16 - fp32| loss', 'max_gap_to_fp32')]))
    write_json(args.out, name, results)
    print(json.dumps([{k: v for k, v in row.items() if k != 'curve'}
                      for row in results]))
    return results


if __name__ == '__main__':
    main()
