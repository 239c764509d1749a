"""The submission folder: claims, link-free writes, checked reproducible zip.
"""
import json
import os
import zipfile

import pytest

from glore_mmseg.evaluation import submission_folder
from glore_mmseg.evaluation.submission_folder import (MANIFEST,
                                                      check_output_dir,
                                                      claim_output_dir,
                                                      pack_submission, summary,
                                                      write_file)

RUN = dict(checkpoint_sha256='1', setting_sha256='2')
NAMES = ['aachen/a_1.png', 'bonn/b_1.png', 'bonn/b_2.png']


def write_pngs(folder, names):
    for name in names:
        write_file(str(folder), name, name.encode() * 10)


def test_claims_new_and_same_run_folders(tmp_path):
    out = tmp_path / 'sub'
    claim_output_dir(str(out), RUN)
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest == dict(run=RUN, status='running')
    write_pngs(out, ['bonn/b_1.png'])
    claim_output_dir(str(out), RUN)  # same run again: allowed
    assert (out / 'bonn' / 'b_1.png').exists()


def test_refuses_foreign_different_or_unidentified_run_folders(tmp_path):
    foreign = tmp_path / 'foreign'
    foreign.mkdir()
    (foreign / 'x.png').write_bytes(b'x')
    with pytest.raises(FileExistsError, match='not written by a submission'):
        check_output_dir(str(foreign), RUN)

    other = tmp_path / 'other'
    claim_output_dir(str(other), RUN)
    before = (other / MANIFEST).read_bytes()
    with pytest.raises(FileExistsError,
                       match='different run .differs in: checkpoint_sha256'):
        claim_output_dir(str(other), dict(RUN, checkpoint_sha256='9'))
    with pytest.raises(FileExistsError, match='unidentified'):
        claim_output_dir(str(other), None)
    assert (other / MANIFEST).read_bytes() == before

    a_file = tmp_path / 'file'
    a_file.write_text('')
    with pytest.raises(FileExistsError, match='is a file'):
        check_output_dir(str(a_file), RUN)


def test_links_inside_the_folder_are_refused_by_name(tmp_path):
    outside = tmp_path / 'outside'
    outside.mkdir()
    victim = tmp_path / 'victim.txt'
    victim.write_text('keep me')
    out = tmp_path / 'sub'
    claim_output_dir(str(out), RUN)
    os.symlink(outside, out / 'bonn')  # a city folder linked elsewhere
    (out / 'aachen').mkdir()
    os.symlink(victim, out / 'aachen' / 'a_1.png')  # a PNG linked to a file
    with pytest.raises(FileExistsError,
                       match=r'contains links \(aachen/a_1.png, bonn\)'):
        claim_output_dir(str(out), RUN)
    with pytest.raises(FileExistsError, match="'bonn' is a link"):
        write_file(str(out), 'bonn/b_1.png', b'png')
    with pytest.raises(FileExistsError, match='contains links'):
        pack_submission(str(out), ['aachen/a_1.png'], RUN)
    assert os.listdir(outside) == []
    assert victim.read_text() == 'keep me'
    assert not (out / 'submission.zip').exists()


def test_a_file_written_over_a_link_replaces_the_link(tmp_path):
    victim = tmp_path / 'victim.txt'
    victim.write_text('keep me')
    out = tmp_path / 'sub'
    (out / 'bonn').mkdir(parents=True)
    os.symlink(victim, out / 'bonn' / 'b_1.png')
    write_file(str(out), 'bonn/b_1.png', b'png')
    assert victim.read_text() == 'keep me'
    assert not (out / 'bonn' / 'b_1.png').is_symlink()
    assert (out / 'bonn' / 'b_1.png').read_bytes() == b'png'
    assert os.listdir(out / 'bonn') == ['b_1.png']  # no temporary left


def test_zip_is_reproducible_and_mirrors_the_city_folders(tmp_path):
    zips = []
    for name in ('one', 'two'):
        out = tmp_path / name
        claim_output_dir(str(out), RUN)
        write_pngs(out, reversed(NAMES))
        zips.append(pack_submission(str(out), NAMES, RUN))
    first, second = (open(path, 'rb').read() for path in zips)
    assert first == second
    with zipfile.ZipFile(zips[0]) as zf:
        assert zf.namelist() == NAMES
        assert zf.read('bonn/b_1.png') == b'bonn/b_1.png' * 10
    manifest = json.loads((tmp_path / 'one' / MANIFEST).read_text())
    assert manifest['status'] == 'complete' and manifest['images'] == 3
    assert manifest['run'] == RUN and len(manifest['zip_sha256']) == 64
    text = summary(str(tmp_path / 'one'), zips[0])
    assert '3 labelId PNGs' in text and 'submission.zip' in text


def test_zip_refused_when_pngs_are_missing_or_foreign(tmp_path):
    claim_output_dir(str(tmp_path), RUN)
    write_pngs(tmp_path, ['bonn/b_1.png', 'bonn/x.png'])
    with pytest.raises(RuntimeError,
                       match=r"holds 2 PNGs for 2 test images \(missing: "
                       r"\['bonn/b_2.png'\], not from this run: "
                       r"\['bonn/x.png'\]"):
        pack_submission(str(tmp_path), ['bonn/b_1.png', 'bonn/b_2.png'], RUN)
    assert not [n for n in os.listdir(tmp_path) if n != MANIFEST and
                not os.path.isdir(tmp_path / n)]


def test_zip_is_checked_against_the_files(tmp_path, monkeypatch):
    claim_output_dir(str(tmp_path), RUN)
    write_pngs(tmp_path, NAMES)
    write_zip = submission_folder._write_zip

    def zip_then_change_a_png(output_dir, names):
        written = write_zip(output_dir, names)
        write_file(output_dir, 'bonn/b_1.png', b'changed')
        return written

    monkeypatch.setattr(submission_folder, '_write_zip',
                        zip_then_change_a_png)
    with pytest.raises(RuntimeError,
                       match=r"does not match its PNGs \(\['bonn/b_1.png'\]"):
        pack_submission(str(tmp_path), NAMES, RUN)
    assert sorted(os.listdir(tmp_path)) == ['aachen', 'bonn', MANIFEST]
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    assert manifest['status'] == 'running'
