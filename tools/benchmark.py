"""Time the GloRe segmentor against stock mmseg FCN and NonLocal (R50-D8).

Measures, in one run and on one device, for each model and precision:

* train-step throughput (img/s): forward + loss + backward + SGD step on a
  batch of 2 x 3 x 512 x 1024 (the Cityscapes training crop);
* inference latency (ms): whole-image logits for 1 x 3 x 1024 x 2048.

fp32 and bf16 autocast; ``--channels-last`` and ``--compile`` time those
variants too. Times are medians over ``--iters`` timed steps after
``--warmup`` steps, with the device synchronised around each step.

Usage (GPU):  python tools/benchmark.py --out work_dirs/benchmark.json
CPU smoke:    python tools/benchmark.py --device cpu --train-shape 1 64 128 \
                  --infer-shape 64 128 --iters 1 --warmup 1
"""
import argparse
import copy
import json
import os.path as osp
from typing import Dict, List

import mmseg
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample
from torch.utils.flop_counter import FlopCounterMode

import glore_mmseg  # noqa: F401  (compat fixes, registrations)
from glore_mmseg.utils import replace_sync_bn
from glore_mmseg.utils.timing import median_seconds, write_json

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
MMSEG_CONFIGS = osp.join(osp.dirname(mmseg.__file__), '.mim', 'configs')
MODEL_CONFIGS = {
    'GloRe': osp.join(REPO, 'configs', 'glore_r50_cityscapes.py'),
    'FCN': osp.join(MMSEG_CONFIGS, 'fcn',
                    'fcn_r50-d8_4xb2-80k_cityscapes-512x1024.py'),
    'NonLocal': osp.join(MMSEG_CONFIGS, 'nonlocal_net',
                         'nonlocal_r50-d8_4xb2-80k_cityscapes-512x1024.py'),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--models', nargs='+', default=list(MODEL_CONFIGS),
        choices=list(MODEL_CONFIGS))
    parser.add_argument('--device', default='cuda')
    parser.add_argument(
        '--dtypes', nargs='+', default=['fp32', 'bf16'],
        choices=['fp32', 'bf16'])
    parser.add_argument(
        '--train-shape', nargs=3, type=int, default=[2, 512, 1024],
        metavar=('BATCH', 'H', 'W'))
    parser.add_argument(
        '--infer-shape', nargs=2, type=int, default=[1024, 2048],
        metavar=('H', 'W'))
    parser.add_argument('--warmup', type=int, default=5)
    parser.add_argument('--iters', type=int, default=20)
    parser.add_argument(
        '--channels-last', action='store_true',
        help='also time with channels_last memory format')
    parser.add_argument(
        '--compile', action='store_true',
        help='also time with torch.compile')
    parser.add_argument(
        '--flops', action='store_true',
        help='only count FLOPs per train image and per inference (meta '
        'device, no accelerator needed)')
    parser.add_argument('--out', help='write all results as JSON here')
    return parser.parse_args(argv)


def build_segmentor(name: str, device: str) -> torch.nn.Module:
    """The segmentor of ``name`` with random weights, on ``device``.

    On the ``meta`` device nothing is allocated (for FLOP counting).
    """
    cfg = Config.fromfile(MODEL_CONFIGS[name])
    init_default_scope('mmseg')
    model_cfg = copy.deepcopy(cfg.model)
    model_cfg.pretrained = None
    model_cfg.backbone.init_cfg = None
    replace_sync_bn(model_cfg)  # one process: plain BN
    with torch.device(device):
        model = MODELS.build(model_cfg)
    if device != 'meta':
        model.init_weights()
    return model


def make_batch(batch: int, height: int, width: int, device: str,
               memory_format=torch.contiguous_format):
    """Random normalised images and random Cityscapes labels."""
    # Drawn on the CPU (one generator: the same data on every device); the
    # meta device only needs shapes.
    gen = torch.Generator(device='cpu').manual_seed(0)

    def draw(sample_fn, shape, dtype):
        if device == 'meta':
            return torch.empty(shape, dtype=dtype, device='meta')
        return sample_fn(shape).to(device)

    inputs = draw(lambda s: torch.randn(s, generator=gen),
                  (batch, 3, height, width), torch.float32)
    inputs = inputs.contiguous(memory_format=memory_format)
    samples = []
    for _ in range(batch):
        sample = SegDataSample()
        labels = draw(lambda s: torch.randint(0, 19, s, generator=gen),
                      (1, height, width), torch.long)
        sample.gt_sem_seg = PixelData(data=labels)
        sample.set_metainfo(
            dict(img_shape=(height, width), pad_shape=(height, width)))
        samples.append(sample)
    return inputs, samples


def image_metas(height: int, width: int) -> List[Dict]:
    shape = (height, width)
    return [dict(img_shape=shape, ori_shape=shape, pad_shape=shape)]


def count_flops(name: str, args) -> Dict:
    """FLOPs of one train step per image and of one inference.

    Counted on the meta device by torch's FlopCounterMode (matrix products
    and convolutions, forward + backward), so it needs no accelerator.
    """
    from torch.fx.experimental import _config as fx_config

    # mmseg's accuracy masks labels (nonzero), which has no data on meta.
    fx_config.meta_nonzero_assume_all_nonzero = True
    model = build_segmentor(name, 'meta')
    inputs, samples = make_batch(*args.train_shape, 'meta')
    model.train()
    with FlopCounterMode(display=False) as counter:
        loss, _ = model.parse_losses(model.loss(inputs, samples))
        loss.backward()
    train = counter.get_total_flops() / args.train_shape[0]
    model.eval()
    height, width = args.infer_shape
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model.encode_decode(
            torch.empty(1, 3, height, width, device='meta'),
            image_metas(height, width))
    return dict(
        model=name,
        train_tflop_per_img=train / 1e12,
        infer_tflop=counter.get_total_flops() / 1e12)


def make_train_step(model, inputs, samples, optimizer, autocast):

    def step():
        optimizer.zero_grad(set_to_none=True)
        with autocast():
            loss, _ = model.parse_losses(model.loss(inputs, samples))
        loss.backward()
        optimizer.step()

    return step


def make_infer_step(model, image, metas, autocast):

    @torch.no_grad()
    def step():
        with autocast():
            model.encode_decode(image, metas)

    return step


def benchmark_variant(name: str, dtype: str, memory_format, compiled: bool,
                      args) -> Dict:
    device = args.device
    model = build_segmentor(name, device).to(memory_format=memory_format)
    forward_model = torch.compile(model) if compiled else model
    autocast_dtype = torch.bfloat16 if dtype == 'bf16' else None

    def autocast():
        return torch.autocast(
            device_type=torch.device(device).type,
            dtype=autocast_dtype or torch.float32,
            enabled=autocast_dtype is not None)

    batch = args.train_shape[0]
    inputs, samples = make_batch(*args.train_shape, device, memory_format)
    optimizer = torch.optim.SGD(
        model.parameters(), lr=1e-4, momentum=0.9, weight_decay=5e-4)
    model.train()
    train_s = median_seconds(
        make_train_step(forward_model, inputs, samples, optimizer, autocast),
        device, args.warmup, args.iters)

    model.eval()
    image, _ = make_batch(1, *args.infer_shape, device, memory_format)
    infer_s = median_seconds(
        make_infer_step(forward_model, image,
                        image_metas(*args.infer_shape), autocast), device,
        args.warmup, args.iters)
    del model, forward_model, optimizer
    if device.startswith('cuda'):
        torch.cuda.empty_cache()
    return dict(
        model=name,
        dtype=dtype,
        channels_last=memory_format == torch.channels_last,
        compiled=compiled,
        train_img_per_s=batch / train_s,
        infer_ms=infer_s * 1e3)


def ratios(results: List[Dict]) -> List[str]:
    """The issue's targets: GloRe vs FCN and NonLocal, same variant."""
    lines = []
    key = {(r['model'], r['dtype'], r['channels_last'], r['compiled']): r
           for r in results}
    for (model, *variant), glore in key.items():
        if model != 'GloRe':
            continue
        fcn = key.get(('FCN', *variant))
        nl = key.get(('NonLocal', *variant))
        dtype, channels_last, compiled = variant
        parts = [f'GloRe {dtype} (channels_last={channels_last}, '
                 f'compile={compiled}):']
        if fcn:
            parts.append('train vs FCN {:.3f}x'.format(
                glore['train_img_per_s'] / fcn['train_img_per_s']))
        if nl:
            parts.append('train vs NonLocal {:.3f}x, infer latency vs '
                         'NonLocal {:.3f}x'.format(
                             glore['train_img_per_s'] / nl['train_img_per_s'],
                             glore['infer_ms'] / nl['infer_ms']))
        lines.append(' '.join(parts))
    return lines


def print_flops(args) -> List[Dict]:
    results = [count_flops(name, args) for name in args.models]
    print('| model | train TFLOP/img (fwd+bwd) | inference TFLOP |')
    print('|---|---|---|')
    for r in results:
        print(f"| {r['model']} | {r['train_tflop_per_img']:.3f} | "
              f"{r['infer_tflop']:.3f} |")
    return results


def main(argv=None):
    args = parse_args(argv)
    if args.flops:
        write_json(args.out, 'meta', print_flops(args))
        return
    device_name = (
        torch.cuda.get_device_name() if args.device.startswith('cuda') else
        'CPU')
    formats = [torch.contiguous_format]
    if args.channels_last:
        formats.append(torch.channels_last)
    compile_modes = [False, True] if args.compile else [False]
    results = []
    for name in args.models:
        for dtype in args.dtypes:
            for memory_format in formats:
                for compiled in compile_modes:
                    result = benchmark_variant(name, dtype, memory_format,
                                               compiled, args)
                    results.append(result)
                    print(json.dumps(result), flush=True)

    b, h, w = args.train_shape
    ih, iw = args.infer_shape
    print(f'\nDevice: {device_name}; train {b}x3x{h}x{w}, inference '
          f'1x3x{ih}x{iw}; median of {args.iters} steps\n')
    print('| model | dtype | channels_last | compile | train img/s | '
          'infer ms |')
    print('|---|---|---|---|---|---|')
    for r in results:
        print(f"| {r['model']} | {r['dtype']} | {r['channels_last']} | "
              f"{r['compiled']} | {r['train_img_per_s']:.1f} | "
              f"{r['infer_ms']:.1f} |")
    for line in ratios(results):
        print(line)
    write_json(args.out, device_name, results)


if __name__ == '__main__':
    main()
