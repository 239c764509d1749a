"""The test-server submission folder: who wrote it, link-free writes, zip.

A submission folder ``OUT`` holds ``<city>/<stem>.png`` files, the
``submission.zip`` made of them and a manifest (``submission.json``) naming
the run that wrote them, so a run never overwrites another run's files.
Nothing is ever written through a link: a link inside ``OUT`` is refused by
name, and every file is written under a fresh temporary name in its final
folder, then renamed over the target (a rename replaces a link, it does not
follow it).
"""
import hashlib
import json
import os
import os.path as osp
import tempfile
import zipfile
from typing import Dict, List, Optional, Sequence, Tuple

MANIFEST = 'submission.json'
ZIP_NAME = 'submission.zip'
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_FILE_MODE = 0o644


def find_links(output_dir: str) -> List[str]:
    """Symbolic links inside ``output_dir`` (not followed), relative paths.
    """
    links = []
    for folder, subfolders, names in os.walk(output_dir):
        for name in subfolders + names:
            path = osp.join(folder, name)
            if osp.islink(path):
                links.append(osp.relpath(path, output_dir))
    return sorted(links)


def refuse_links(output_dir: str) -> None:
    """Raise if ``output_dir`` holds a symbolic link.

    Raises:
        FileExistsError: Names the links.
    """
    links = find_links(output_dir)
    if links:
        raise FileExistsError(
            f'submission folder {output_dir!r} contains links '
            f'({", ".join(links)}); a submission is never written through a '
            'link, which could write outside the folder. Nothing was '
            'written; remove the links or choose a new folder.')


def _make_folders(output_dir: str, folder: str) -> None:
    """Create ``folder`` (inside ``output_dir``) level by level, refusing a
    level that is a link."""
    path = output_dir
    for part in osp.relpath(folder, output_dir).split(os.sep):
        if part in ('', '.'):
            continue
        if part == '..':
            raise ValueError(f'{folder!r} is not inside {output_dir!r}')
        path = osp.join(path, part)
        if osp.islink(path):
            raise FileExistsError(
                f'submission folder {output_dir!r}: '
                f'{osp.relpath(path, output_dir)!r} is a link; nothing is '
                'written through a link. Remove it or choose a new folder.')
        try:
            os.mkdir(path)
        except FileExistsError:
            if not osp.isdir(path):
                raise


def write_file(output_dir: str, name: str, data: bytes) -> str:
    """Write ``data`` to ``output_dir/name`` without following links.

    The bytes go to a new temporary file in the target's folder (created
    exclusively, so it cannot be a link), which is then renamed over the
    target: a link at the target is replaced, never written through.

    Args:
        output_dir: The submission folder.
        name: Path relative to ``output_dir``.
        data: File contents.

    Returns:
        The written path.
    """
    path = osp.join(output_dir, name)
    folder = osp.dirname(path)
    _make_folders(output_dir, folder)
    fd, tmp = tempfile.mkstemp(
        dir=folder, prefix=f'.{osp.basename(path)}.', suffix='.tmp')
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
        os.chmod(tmp, _FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        if osp.lexists(tmp):
            os.remove(tmp)
        raise
    return path


def read_file(output_dir: str, name: str) -> bytes:
    """The bytes of the regular file ``output_dir/name`` (a link is refused).
    """
    flags = os.O_RDONLY | getattr(os, 'O_NOFOLLOW', 0)
    path = osp.join(output_dir, name)
    if osp.islink(path):
        refuse_links(output_dir)
    with os.fdopen(os.open(path, flags), 'rb') as f:
        return f.read()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def submission_pngs(output_dir: str) -> List[str]:
    """The PNGs under ``output_dir``, relative paths in sorted order."""
    found = []
    for folder, _, names in os.walk(output_dir):
        found += [
            osp.relpath(osp.join(folder, name), output_dir) for name in names
            if name.endswith('.png')
        ]
    return sorted(found)


def read_manifest(output_dir: str) -> Optional[dict]:
    """The manifest of ``output_dir``, or ``None`` if it has none."""
    if not osp.lexists(osp.join(output_dir, MANIFEST)):
        return None
    return json.loads(read_file(output_dir, MANIFEST))


def write_manifest(output_dir: str, manifest: dict) -> None:
    write_file(output_dir, MANIFEST,
               json.dumps(manifest, indent=2, sort_keys=True).encode())


def _differing(first: dict, second: dict) -> List[str]:
    """The keys whose values differ between two dicts, sorted."""
    return sorted(key for key in set(first) | set(second)
                  if first.get(key) != second.get(key))


def check_output_dir(output_dir: str, run: Optional[Dict[str, str]]) -> None:
    """Refuse an ``output_dir`` that is a file, holds links, foreign files or
    another run's export.

    Args:
        output_dir: The submission folder (need not exist).
        run: What identifies the run (e.g. checkpoint and settings hashes);
            ``None`` for an unidentified run, which only writes into a new or
            empty folder.

    Raises:
        FileExistsError: Says what is in the way; nothing was written.
    """
    if not osp.exists(output_dir):
        return
    if not osp.isdir(output_dir):
        raise FileExistsError(f'submission folder {output_dir!r} is a file')
    refuse_links(output_dir)
    if not os.listdir(output_dir):
        return
    previous = read_manifest(output_dir)
    if previous is None:
        raise FileExistsError(
            f'submission folder {output_dir!r} is not empty and was not '
            'written by a submission export; nothing was overwritten. '
            'Choose a new folder or empty this one.')
    before = previous.get('run')
    if before is None or run is None:
        raise FileExistsError(
            f'submission folder {output_dir!r} holds an export, and the run '
            'that wrote it or this run is unidentified (no checkpoint hash); '
            'nothing was overwritten. Choose a new folder or remove this '
            'one.')
    if before != run:
        raise FileExistsError(
            f'submission folder {output_dir!r} holds a different run '
            f'(differs in: {", ".join(_differing(before, run))}); nothing '
            'was overwritten. '
            'Choose a new folder or remove this one.')


def claim_output_dir(output_dir: str, run: Optional[Dict[str, str]]) -> None:
    """:func:`check_output_dir`, then create it with a 'running' manifest."""
    check_output_dir(output_dir, run)
    os.makedirs(output_dir, exist_ok=True)
    write_manifest(output_dir, dict(run=run, status='running'))


def _write_zip(output_dir: str,
               names: Sequence[str]) -> Tuple[str, Dict[str, str]]:
    """Write the zip of ``names`` under a temporary name; return that path
    and the SHA-256 of each file as it was read."""
    hashes = {}
    fd, tmp = tempfile.mkstemp(dir=output_dir, prefix='.zip.', suffix='.tmp')
    with os.fdopen(fd, 'wb') as f, zipfile.ZipFile(
            f, 'w', zipfile.ZIP_DEFLATED) as zf:
        for name in names:
            data = read_file(output_dir, name)
            hashes[name] = sha256(data)
            info = zipfile.ZipInfo(name.replace(os.sep, '/'), _FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = _FILE_MODE << 16
            zf.writestr(info, data)
    return tmp, hashes


def pack_submission(output_dir: str, expected: Sequence[str],
                    run: Optional[Dict[str, str]]) -> str:
    """Zip the PNGs reproducibly, check the zip, mark the run complete.

    Entries are sorted and carry a fixed timestamp, so the zip of the same
    PNGs is byte-identical. Before the zip replaces ``submission.zip`` its
    entries are read back and compared with the files on disk.

    Args:
        output_dir: The submission folder.
        expected: The PNGs this run wrote, relative to ``output_dir``.
        run: The run identity recorded in the manifest.

    Returns:
        The path of ``submission.zip``.

    Raises:
        RuntimeError: The folder's PNGs are not exactly ``expected``, or the
            zip does not match the files; the zip is not written.
        FileExistsError: The folder holds a link.
    """
    refuse_links(output_dir)
    names = sorted(set(expected))
    found = submission_pngs(output_dir)
    if found != names:
        missing = sorted(set(names) - set(found))
        extra = sorted(set(found) - set(names))
        raise RuntimeError(
            f'{output_dir!r} holds {len(found)} PNGs for {len(names)} test '
            f'images (missing: {missing[:3]}, not from this run: '
            f'{extra[:3]}); the zip was not written.')
    tmp, hashes = _write_zip(output_dir, names)
    try:
        with zipfile.ZipFile(tmp) as zf:
            entries = [entry.replace('/', os.sep) for entry in zf.namelist()]
            in_zip = {name: sha256(zf.read(name.replace(os.sep, '/')))
                      for name in entries}
        on_disk = {name: sha256(read_file(output_dir, name))
                   for name in names}
        if entries != names or in_zip != hashes or in_zip != on_disk:
            raise RuntimeError(
                f'the zip of {output_dir!r} does not match its PNGs '
                f'({_differing(in_zip, on_disk)[:3]} changed while it was '
                'written); the zip was not written.')
        os.chmod(tmp, _FILE_MODE)
        os.replace(tmp, osp.join(output_dir, ZIP_NAME))
    finally:
        if osp.lexists(tmp):
            os.remove(tmp)
    write_manifest(
        output_dir,
        dict(run=run, status='complete', images=len(names),
             zip_sha256=sha256(read_file(output_dir, ZIP_NAME))))
    return osp.join(output_dir, ZIP_NAME)


def summary(output_dir: str, zip_path: str) -> str:
    """One paragraph: count, folder, zip and sizes (read from the zip)."""
    with zipfile.ZipFile(zip_path) as zf:
        entries = zf.infolist()
    png_bytes = sum(entry.file_size for entry in entries)
    return (f'Cityscapes submission: {len(entries)} labelId PNGs in '
            f'{osp.abspath(output_dir)} ({png_bytes / 2**20:.1f} MiB)\n'
            f'Upload: {osp.abspath(zip_path)} '
            f'({osp.getsize(zip_path) / 2**20:.1f} MiB)')
