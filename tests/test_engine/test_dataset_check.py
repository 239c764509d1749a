"""check_dataset: every image and label of a split read and checked."""
import io
import os

from mmengine.config import Config

from glore_mmseg.engine.dataset_check import check_dataset
from tests.conftest import (DEMO_CONFIG, image_of, label_file, put_label_value,
                            resize_label, save_label_16bit, truncate_file)


def demo_cfg(root):
    cfg = Config.fromfile(DEMO_CONFIG)
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = root
    return cfg


def damage(root):
    """Four broken train samples: a truncated image, a truncated label,
    a label of another size, a label value 77. Returns their files."""
    labels = [label_file(root, 'train', i) for i in range(4)]
    truncate_file(image_of(labels[0]))
    truncate_file(labels[1])
    resize_label(labels[2], (512, 200))
    put_label_value(labels[3], 77)
    return labels


def test_finds_each_problem_once_with_its_files(cityscapes_copy):
    labels = damage(cityscapes_copy)
    bar = io.StringIO()
    report, = check_dataset(demo_cfg(cityscapes_copy), 'train', file=bar)
    assert report.key == 'train_dataloader.dataset'
    assert report.num_samples == 6
    assert {kind: len(found)
            for kind, found in report.problems.items()} == {
                'unreadable image': 1, 'unreadable label': 1, 'size': 1,
                'values': 1}
    problems = report.problems
    assert problems['unreadable image'] == [
        f"image '{image_of(labels[0])}': OSError: image file is truncated"]
    assert labels[1] in problems['unreadable label'][0]
    assert f"label '{labels[2]}' (image '{image_of(labels[2])}'): the " \
        'label is 512x200 but the image is 512x256' in problems['size'][0]
    assert f"label '{labels[3]}'" in problems['values'][0]
    assert 'label values [77]' in problems['values'][0]
    assert '6/6' in bar.getvalue()  # the progress bar reached the end
    summary = report.format(show=1)
    assert summary.splitlines()[0] == (
        'train_dataloader.dataset: 6 samples checked, 4 problems')
    assert '  values: 1' in summary.splitlines()


def test_clean_split_and_missing_files(cityscapes_copy):
    cfg = demo_cfg(cityscapes_copy)
    report, = check_dataset(cfg, 'val', file=io.StringIO())
    assert (report.num_samples, report.problems) == (2, {})
    assert report.format() == (
        'val_dataloader.dataset: 2 samples checked, no problems')

    label = label_file(cityscapes_copy, 'val', 1)
    os.remove(label)
    report, = check_dataset(cfg, 'val', workers=2, file=io.StringIO())
    assert report.problems == {
        'missing file': [f'label {label!r} does not exist']}

    cfg.val_dataloader.dataset.data_root = cityscapes_copy + '_nowhere'
    report, = check_dataset(cfg, 'val', file=io.StringIO())
    assert list(report.problems) == ['missing folder']
    assert report.num_samples == 0


def test_progress_goes_to_the_current_stdout(cityscapes_root):
    """Without ``file``, the progress bar goes to ``sys.stdout`` as it is at
    the call (a redirected or captured one), not as it was at import."""
    import contextlib
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        report, = check_dataset(demo_cfg(cityscapes_root), 'val')
    assert report.num_samples == 2 and not report.problems
    assert 'Checking 2 samples of val_dataloader.dataset' in out.getvalue()


def test_16bit_label_values_that_do_not_fit_are_reported(cityscapes_copy):
    label = label_file(cityscapes_copy, 'val', 0)
    save_label_16bit(label, [3584, 65280])
    report, = check_dataset(
        demo_cfg(cityscapes_copy), 'val', file=io.StringIO())
    assert list(report.problems) == ['values']
    message, = report.problems['values']
    assert f"label '{label}'" in message
    assert 'stores values [3584, 65280] that do not fit' in message


def test_an_empty_image_is_not_an_image_file(cityscapes_copy):
    image = image_of(label_file(cityscapes_copy, 'val', 1))
    with open(image, 'wb'):
        pass
    report, = check_dataset(
        demo_cfg(cityscapes_copy), 'val', file=io.StringIO())
    assert report.problems == {
        'unreadable image': [f'image {image!r} is empty: not an image file']}


def test_the_decoded_cache_is_checked_against_its_pngs(cityscapes_copy):
    from glore_mmseg.datasets.transforms import cache_png
    labels = [label_file(cityscapes_copy, 'val', i) for i in range(2)]
    for label in labels:
        cache_png(image_of(label), 3)
        cache_png(label, 1)
    report, = check_dataset(
        demo_cfg(cityscapes_copy), 'val', file=io.StringIO())
    assert report.problems == {}
    stat = os.stat(labels[1])
    os.utime(labels[1], ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    report, = check_dataset(
        demo_cfg(cityscapes_copy), 'val', file=io.StringIO())
    assert list(report.problems) == ['stale cache']
    message, = report.problems['stale cache']
    assert message.startswith(f'{labels[1]} changed after its decoded cache')
