"""The image files a command-line tool is pointed at."""
import os.path as osp
from typing import List, Optional

from mmengine.utils import scandir

#: File name endings read as images (case-insensitive).
IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')


def list_images(path: str) -> List[str]:
    """One image file, or every image under a folder (recursively, sorted).

    Args:
        path: An image file or a folder.

    Returns:
        Image paths; for a folder, joined onto ``path``.

    Raises:
        FileNotFoundError: ``path`` does not exist, or the folder holds no
            file ending in one of :data:`IMAGE_SUFFIXES`.
    """
    if osp.isfile(path):
        return [path]
    if not osp.isdir(path):
        raise FileNotFoundError(f'No image file or folder at {path!r}')
    found = sorted(
        osp.join(path, name) for name in scandir(path, recursive=True)
        if name.lower().endswith(IMAGE_SUFFIXES))
    if not found:
        raise FileNotFoundError(
            f'No image ({", ".join(IMAGE_SUFFIXES)}) in the folder {path!r}')
    return found


def relative_stem(path: str, root: str) -> str:
    """Name of an output for ``path``: its path relative to the folder
    ``root`` without the suffix (sub-folders kept, so images with one name
    in two folders do not collide), or its file stem when ``root`` is the
    image file itself.

    Args:
        path: An image returned by :func:`list_images` for ``root``.
        root: The file or folder given to :func:`list_images`.
    """
    relative = osp.relpath(path, root) if osp.isdir(root) else \
        osp.basename(path)
    return osp.splitext(relative)[0]


def not_an_image_reason(path: str, error: Exception) -> Optional[str]:
    """Why ``path`` is no image at all, when its decoding failed so.

    Args:
        path: The file that did not decode.
        error: What the decoder raised.

    Returns:
        ``'empty: not an image file'``, ``'not an image file (...)'``, or
        None for another failure (a truncated or damaged image).
    """
    from PIL import UnidentifiedImageError
    if osp.isfile(path) and osp.getsize(path) == 0:
        return 'empty: not an image file'
    if isinstance(error, UnidentifiedImageError):
        return 'not an image file (Pillow finds no image format in it)'
    return None
