import os.path as osp

import pytest

from glore_mmseg.datasets.image_files import list_images, relative_stem


def test_folders_are_read_recursively_and_sorted(tmp_path):
    for name in ('b.PNG', 'a.jpg', 'city/c.jpeg', 'notes.txt', 'city/d.npy'):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(b'')
    root = str(tmp_path)
    images = list_images(root)
    assert images == [
        osp.join(root, name) for name in ('a.jpg', 'b.PNG', 'city/c.jpeg')
    ]
    assert [relative_stem(path, root) for path in images] == [
        'a', 'b', osp.join('city', 'c')
    ]
    assert list_images(images[2]) == [images[2]]
    assert relative_stem(images[2], images[2]) == 'c'


def test_missing_path_and_empty_folder_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='No image file or folder'):
        list_images(str(tmp_path / 'missing'))
    (tmp_path / 'notes.txt').write_text('x')
    with pytest.raises(FileNotFoundError, match='No image .* in the folder'):
        list_images(str(tmp_path))
