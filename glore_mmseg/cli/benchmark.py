"""Time and measure the GloRe segmentor against stock mmseg R50-D8 models.

For each model, precision and variant (``--channels-last``, ``--compile``):

* ``train``: forward + loss + backward + SGD step on 2 x 3 x 512 x 1024
  (the Cityscapes training crop), reported as img/s;
* ``inference``: whole-image logits for 1 x 3 x 1024 x 2048 (ms);
* ``--heads``: the decode head alone on a 1 x 2048 x 128 x 256 feature map
  (stride 8 of the 1024 x 2048 image) instead of whole models.

The models of one variant are timed interleaved, round after round, so load
changes on a shared machine hit all of them alike; min, median and spread
((max - min) / median) are reported. ``--memory`` adds the peak memory of
one step: CUDA's ``max_memory_allocated``, or on the CPU the peak RSS of a
fresh process that builds the model and runs the step once; ``step GB`` is
that peak minus the memory held just before the step.

GPU:  python tools/benchmark.py --memory --out work_dirs/benchmark.json
CPU:  python tools/benchmark.py --device cpu --steps inference --memory
FLOPs (meta device, no accelerator): python tools/benchmark.py --flops
Runtimes (CPU, whole image, PyTorch / onnxruntime fp32 and int8 /
OpenVINO): python tools/benchmark.py --runtimes --calib DIR
    [--agreement CONFIG CKPT IMG_DIR]
"""
import argparse
import json
import os.path as osp
from typing import Dict, List

import torch

from ..benchmarking import steps
from ..benchmarking.compile import compile_segmentor, compiled_graph_count
from ..benchmarking.flops import count_flops
from ..benchmarking.interleaved import time_interleaved
from ..benchmarking.peak_memory import (cuda_peak_bytes,
                                        peak_rss_in_fresh_process)
from ..benchmarking.report import markdown_table, ratio_lines
from ..benchmarking.runtimes import (RUNTIMES, available_runtimes,
                                     build_predictors, label_agreement,
                                     time_runtimes)
from ..benchmarking.segmentors import (STOCK_SEGMENTORS, build_decode_head,
                                       build_segmentor, criss_cross_available,
                                       stock_config)
from ..benchmarking.timing import write_json
from ..package_data import CONFIG_DIR

GLORE_CONFIG = osp.join(CONFIG_DIR, 'glore_r50_cityscapes.py')

HEAD_MODELS = ['GloRe', 'FCN', 'NonLocal', 'DNL', 'DANet', 'GCNet', 'EMANet',
               'CCNet']


def config_of(name: str) -> str:
    return GLORE_CONFIG if name == 'GloRe' else stock_config(name)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--models', nargs='+', choices=['GloRe', *STOCK_SEGMENTORS],
        help='default: GloRe FCN NonLocal; with --heads all heads (CCNet '
        'only with a compiled mmcv)')
    parser.add_argument(
        '--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument(
        '--dtypes', nargs='+', choices=list(steps.PRECISIONS),
        help='default: fp32 bf16 on CUDA, fp32 on the CPU (CPUs without '
        'native bf16 run bf16 convolutions many times slower)')
    parser.add_argument(
        '--steps', nargs='+', default=['train', 'inference'],
        choices=['train', 'inference'])
    parser.add_argument(
        '--train-shape', nargs=3, type=int, default=[2, 512, 1024],
        metavar=('BATCH', 'H', 'W'))
    parser.add_argument(
        '--infer-shape', nargs=2, type=int, default=[1024, 2048],
        metavar=('H', 'W'))
    parser.add_argument(
        '--heads', action='store_true',
        help='time the decode heads alone on --head-shape features')
    parser.add_argument(
        '--head-shape', nargs=4, type=int, default=[1, 2048, 128, 256],
        metavar=('B', 'C', 'H', 'W'))
    parser.add_argument('--warmup', type=int, default=2,
                        help='untimed interleaved rounds')
    parser.add_argument('--rounds', type=int, default=10,
                        help='timed interleaved rounds')
    parser.add_argument('--channels-last', action='store_true',
                        help='also time with channels_last memory format')
    parser.add_argument('--compile', action='store_true',
                        help='also time with torch.compile (backbone, neck '
                        'and heads)')
    parser.add_argument('--memory', action='store_true',
                        help='peak memory of one step per model')
    parser.add_argument(
        '--flops', action='store_true',
        help='only count FLOPs per train image and per inference (meta '
        'device, no accelerator needed)')
    add_runtime_args(parser)
    parser.add_argument('--out', help='write all results as JSON here')
    return parser


def parse_args(argv=None) -> argparse.Namespace:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.dtypes is None:
        args.dtypes = ['fp32', 'bf16'] if args.device.startswith(
            'cuda') else ['fp32']
    if args.models is None:
        args.models = (HEAD_MODELS if args.heads else
                       ['GloRe', 'FCN', 'NonLocal'])
    if 'CCNet' in args.models and not criss_cross_available():
        print('CCNet skipped: it needs a compiled mmcv (CrissCrossAttention)')
        args.models = [m for m in args.models if m != 'CCNet']
    return args


def add_runtime_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        '--runtimes', nargs='*', choices=RUNTIMES,
        help='time whole-image CPU inference of --models in these runtimes '
        '(none listed: all installed ones)')
    parser.add_argument(
        '--runtime-shape', nargs=2, type=int, default=[512, 1024],
        metavar=('H', 'W'), help='image size of --runtimes')
    parser.add_argument('--calib', help='int8 calibration images (folder)')
    parser.add_argument('--calib-num', type=int, default=8)
    parser.add_argument('--threads', type=int, default=2,
                        help='CPU threads of every runtime')
    parser.add_argument(
        '--agreement', nargs=3, metavar=('CONFIG', 'CKPT', 'IMG_DIR'),
        help='label agreement with PyTorch of a trained model on the '
        'images (test-time resize), int8 calibrated on --calib')


def print_runtimes(args) -> List[Dict]:
    """``--runtimes`` and ``--agreement``: times and label agreement."""
    import tempfile

    from mmengine.config import Config

    from ..datasets.image_files import list_images
    from ..deploy.export_model import build_export_model
    from ..deploy.test_time_input import test_time_images
    runtimes = args.runtimes or available_runtimes()
    if 'onnxruntime-int8' in runtimes and not args.calib:
        raise SystemExit('error: onnxruntime-int8 needs --calib DIR')
    calib = list_images(args.calib)[:args.calib_num] if args.calib else []
    results = []
    with tempfile.TemporaryDirectory() as folder:
        if args.agreement:
            config, checkpoint, images = args.agreement
            cfg = Config.fromfile(config)
            model, _ = build_export_model(cfg, checkpoint)
            evaluation = test_time_images(cfg, list_images(images))
            shape = evaluation[0].shape[2:]
            predictors = build_predictors(
                model, shape, runtimes, test_time_images(cfg, calib),
                osp.join(folder, 'agreement'), args.threads)
            shares = label_agreement(predictors, evaluation)
            for runtime, share in shares.items():
                row = dict(model=osp.basename(config), runtime=runtime,
                           label_agreement=share, images=len(evaluation))
                print(json.dumps(row), flush=True)
                results.append(row)
        if args.runtimes is not None:
            shape = args.runtime_shape
            calibration = [
                torch.nn.functional.interpolate(
                    torch.from_numpy(image), size=tuple(shape),
                    mode='bilinear').numpy()
                for image in test_time_images(
                    Config.fromfile(GLORE_CONFIG), calib)]
            models = {name: build_export_model(
                Config.fromfile(config_of(name)), None)[0]
                for name in args.models}
            rows = time_runtimes(models, shape, runtimes, calibration,
                                 folder, args.threads, args.warmup,
                                 args.rounds)
            flops = {name: count_flops(config_of(name), [1, *shape],
                                       shape)['infer_tflop']
                     for name in args.models}
            for row in rows:
                row['gflop_per_s'] = (flops[row['model']] * 1e3 /
                                      (row['median_ms'] / 1e3))
                print(json.dumps(row), flush=True)
            results.extend(rows)
            print(f'\nCPU, {args.threads} threads, {shape[0]}x{shape[1]} '
                  f'whole image, {args.rounds} interleaved rounds after '
                  f'{args.warmup}\n')
            print(markdown_table(rows, [
                ('model', 'model'), ('runtime', 'runtime'),
                ('median ms', 'median_ms'), ('min ms', 'min_ms'),
                ('spread', 'spread'), ('GFLOP/s', 'gflop_per_s')]))
    return results


def print_flops(args) -> List[Dict]:
    results = [dict(model=name, **count_flops(config_of(name),
                                              args.train_shape,
                                              args.infer_shape))
               for name in args.models]
    print(markdown_table(results, [
        ('model', 'model'),
        ('train TFLOP/img (fwd+bwd)', 'train_tflop_per_img'),
        ('inference TFLOP', 'infer_tflop')]))
    return results


def make_step(name: str, step: str, precision: str, memory_format,
              compiled: bool, args):
    """A fresh model of ``name`` and its ``step`` callable."""
    if step == 'head':
        head = build_decode_head(config_of(name), args.device)
        if compiled:
            head.forward = torch.compile(head.forward)
        return steps.head_inference_step(head, args.head_shape,
                                         args.device, precision)
    model = build_segmentor(config_of(name), args.device)
    model = model.to(memory_format=memory_format)
    if compiled:
        compile_segmentor(model)
    if step == 'train':
        return steps.train_step(model, args.train_shape, args.device,
                                precision, memory_format)
    return steps.inference_step(model, args.infer_shape, args.device,
                                precision, memory_format)


def time_variant(step: str, precision: str, memory_format, compiled: bool,
                 args) -> List[Dict]:
    """One interleaved timing of every model for one step and variant."""
    callables, graphs = {}, {}
    for name in args.models:
        callables[name] = make_step(name, step, precision, memory_format,
                                    compiled, args)
        if compiled:  # the first call compiles: graphs must appear
            before = compiled_graph_count()
            callables[name]()
            graphs[name] = compiled_graph_count() - before
            if graphs[name] == 0:
                raise RuntimeError(
                    f'torch.compile produced no graph for {name} ({step}): '
                    'the timed step would run eagerly')
    stats = time_interleaved(callables, args.device, args.warmup,
                             args.rounds)
    per_step = args.train_shape[0] if step == 'train' else 1
    results = []
    for name, stat in stats.items():
        results.append(dict(
            model=name, step=step, precision=precision,
            channels_last=memory_format == torch.channels_last,
            compiled=compiled, graphs=graphs.get(name),
            min_ms=stat['min_s'] * 1e3, median_ms=stat['median_s'] * 1e3,
            spread=stat['spread'],
            img_per_s=per_step / stat['median_s']))
    del callables
    if args.device.startswith('cuda'):
        torch.cuda.empty_cache()
    return results


def peak_memory(name: str, step: str, precision: str, args) -> Dict:
    """Peak memory of one ``step`` of ``name`` (plain variant)."""
    if args.device.startswith('cuda'):
        callable_ = make_step(name, step, precision, torch.contiguous_format,
                              False, args)
        callable_()  # warm: optimizer state, allocator
        peak = cuda_peak_bytes(callable_, args.device)
        del callable_
        torch.cuda.empty_cache()
        return dict(peak_gb=peak['peak_bytes'] / 1e9,
                    step_gb=(peak['peak_bytes'] - peak['before_bytes']) / 1e9,
                    memory='CUDA max_memory_allocated')
    shape = dict(train=args.train_shape, inference=args.infer_shape,
                 head=args.head_shape)[step]
    probe = peak_rss_in_fresh_process(dict(
        what='head_inference' if step == 'head' else step,
        config=config_of(name), shape=shape, precision=precision))
    return dict(peak_gb=probe['peak_rss_bytes'] / 1e9,
                step_gb=(probe['peak_rss_bytes'] -
                         probe['build_rss_bytes']) / 1e9,
                memory='peak RSS, fresh process')


def main(argv=None):
    args = parse_args(argv)
    if args.flops:
        write_json(args.out, 'meta', print_flops(args))
        return
    if args.runtimes is not None or args.agreement:
        write_json(args.out, 'CPU', print_runtimes(args))
        return
    device_name = (torch.cuda.get_device_name(args.device)
                   if args.device.startswith('cuda') else 'CPU')
    formats = [torch.contiguous_format]
    if args.channels_last and not args.heads:
        formats.append(torch.channels_last)
    compile_modes = [False, True] if args.compile else [False]
    step_names = ['head'] if args.heads else args.steps
    results = []
    for step in step_names:
        for precision in args.dtypes:
            for memory_format in formats:
                for compiled in compile_modes:
                    rows = time_variant(step, precision, memory_format,
                                        compiled, args)
                    for row in rows:
                        plain = (memory_format == torch.contiguous_format
                                 and not compiled)
                        if args.memory and plain:
                            row.update(peak_memory(row['model'], step,
                                                   precision, args))
                        print(json.dumps(row), flush=True)
                    results.extend(rows)

    print(f'\nDevice: {device_name}; train {args.train_shape}, inference '
          f'{args.infer_shape}, heads {args.head_shape}; {args.rounds} '
          f'interleaved rounds after {args.warmup}\n')
    print(markdown_table(results, [
        ('model', 'model'), ('step', 'step'), ('dtype', 'precision'),
        ('channels_last', 'channels_last'), ('compile', 'compiled'),
        ('img/s (median)', 'img_per_s'), ('min ms', 'min_ms'),
        ('median ms', 'median_ms'), ('spread', 'spread'),
        ('peak GB', 'peak_gb'), ('step GB (peak - before)', 'step_gb')]))
    for line in ratio_lines(results):
        print(line)
    write_json(args.out, device_name, results)
