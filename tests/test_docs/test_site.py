"""The documentation site builds with ``mkdocs build --strict``, and the
strict build fails on a broken link and on a missing image."""
import os
import os.path as osp
import shutil

import pytest

from tests.test_docs.markdown_sources import PENDING_PAGES, REPO

mkdocs_build = pytest.importorskip('mkdocs.commands.build')
mkdocs_config = pytest.importorskip('mkdocs.config')
mkdocs_exceptions = pytest.importorskip('mkdocs.exceptions')


def copy_docs(tmp_path) -> str:
    """mkdocs.yml and docs/ copied to ``tmp_path``; pages that other
    branches add are stubbed there (outside the nav) while missing."""
    shutil.copytree(osp.join(REPO, 'docs'), tmp_path / 'docs')
    config = (tmp_path / 'mkdocs.yml')
    text = open(osp.join(REPO, 'mkdocs.yml')).read()
    stubs = [page for page in PENDING_PAGES
             if not osp.exists(osp.join(REPO, page))]
    for page in stubs:
        stub = tmp_path / page
        os.makedirs(stub.parent, exist_ok=True)
        stub.write_text('# Pending page\n')
    if stubs:
        text += 'not_in_nav: |\n' + ''.join(
            f'  /{osp.relpath(page, "docs")}\n' for page in stubs)
    config.write_text(text)
    return str(config)


def build(config_file: str, site_dir: str) -> None:
    config = mkdocs_config.load_config(
        config_file=config_file, strict=True, site_dir=site_dir)
    mkdocs_build.build(config)


def test_the_site_builds_strictly(tmp_path):
    build(copy_docs(tmp_path), str(tmp_path / 'site'))
    site = tmp_path / 'site'
    assert (site / 'index.html').is_file()
    assert (site / 'en' / 'cityscapes' / 'index.html').is_file()
    assert (site / 'resources' / 'projection_maps_demo.jpg').is_file()


@pytest.mark.parametrize('broken', [
    '[a page that is gone](no_such_page.md)',
    '![a figure that is gone](../resources/no_such_figure.jpg)',
    '[a heading that is gone](cityscapes.md#no-such-heading)',
])
def test_a_broken_link_or_missing_image_fails_the_build(tmp_path, broken):
    config = copy_docs(tmp_path)
    page = tmp_path / 'docs' / 'en' / 'inference.md'
    page.write_text(page.read_text() + f'\n{broken}\n')
    with pytest.raises(mkdocs_exceptions.Abort, match='strict mode'):
        build(config, str(tmp_path / 'site'))
