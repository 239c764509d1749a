"""tools/check_dataset.py as users run it: summary and exit status."""
from tests.conftest import (DEMO_CONFIG, label_file, put_label_value,
                            run_python, truncate_file)


def test_damaged_split_exits_1_and_a_clean_one_0(cityscapes_copy):
    bad_value = label_file(cityscapes_copy, 'train', 1)
    put_label_value(bad_value, 77)
    truncated = label_file(cityscapes_copy, 'train', 5)
    truncate_file(truncated)
    options = [
        '--cfg-options', f'train_dataloader.dataset.data_root='
        f'{cityscapes_copy}', f'val_dataloader.dataset.data_root='
        f'{cityscapes_copy}'
    ]
    damaged = run_python(['tools/check_dataset.py', DEMO_CONFIG, *options])
    assert damaged.returncode == 1, damaged.stderr[-3000:]
    out = damaged.stdout
    assert '6/6' in out  # the progress bar
    summary = out[out.index('train_dataloader.dataset: 6 samples'):]
    lines = summary.splitlines()
    assert lines[0].endswith('6 samples checked, 2 problems')
    assert lines[1] == '  unreadable label: 1'
    assert lines[2].startswith(f"    label '{truncated}': OSError")
    assert lines[3] == '  values: 1'
    assert lines[4].startswith(f"    label '{bad_value}' (image")

    clean = run_python(
        ['tools/check_dataset.py', DEMO_CONFIG, '--split', 'val', *options])
    assert clean.returncode == 0, clean.stderr[-3000:]
    assert clean.stdout.splitlines()[-1] == (
        'val_dataloader.dataset: 2 samples checked, no problems')
