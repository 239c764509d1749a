"""Every relative link and image in README.md and docs/ points to a file
that exists, and an anchor to a heading of its page."""
import os
import os.path as osp
from urllib.parse import unquote

import pytest

from tests.test_docs.markdown_sources import (PENDING_PAGES, PENDING_TOOLS,
                                              REPO, anchors, link_targets,
                                              markdown_files, read,
                                              repository_paths)


def broken_links(path: str, root: str = REPO) -> list:
    """'line: target (why)' for each relative link or image of the
    Markdown file ``path`` (relative to ``root``) that does not resolve."""
    problems = []
    text = read_in(root, path)
    for target, line in link_targets(text):
        if ':' in target.split('/')[0] or target.startswith('//'):
            continue  # http:, https:, mailto: ...
        file_part, _, anchor = target.partition('#')
        if file_part:
            resolved = osp.normpath(
                osp.join(osp.dirname(osp.join(root, path)),
                         unquote(file_part)))
        else:
            resolved = osp.join(root, path)
        relative = osp.relpath(resolved, root)
        if not osp.exists(resolved):
            if relative in PENDING_PAGES:
                continue
            problems.append(f'{line}: {target} (no such file {relative})')
            continue
        if anchor and resolved.endswith('.md'):
            if anchor not in anchors(read_in(root, relative)):
                problems.append(
                    f'{line}: {target} (no heading #{anchor} in {relative})')
    return problems


def read_in(root: str, path: str) -> str:
    if root == REPO:
        return read(path)
    with open(osp.join(root, path), encoding='utf-8') as f:
        return f.read()


@pytest.mark.parametrize('path', markdown_files())
def test_every_relative_link_and_image_resolves(path):
    assert broken_links(path) == []


@pytest.mark.parametrize('path', markdown_files())
def test_every_repository_path_named_as_code_exists(path):
    missing = [
        f'{line}: {name}' for name, line in repository_paths(read(path))
        if not osp.exists(osp.join(REPO, name))
        and name not in PENDING_PAGES + PENDING_TOOLS
    ]
    assert missing == []


def test_repository_paths_are_found_in_code_spans():
    text = ('Read `configs/glore/x.py` and `tools/train.py`, not '
            '`configs/glore/...` or `work_dirs/x.pth`.\n'
            '```bash\npython tools/in_a_block.py\n```\n'
            '| `tests/test_docs/` | table |\n')
    assert list(repository_paths(text)) == [
        ('configs/glore/x.py', 1), ('tools/train.py', 1),
        ('tests/test_docs/', 5)
    ]


def test_the_readme_links_into_the_docs_and_shows_its_figure():
    targets = [target for target, _ in link_targets(read('README.md'))]
    assert 'docs/resources/projection_maps_demo.jpg' in targets
    assert sum(t.startswith('docs/en/') for t in targets) >= 10


def test_broken_links_images_and_anchors_are_found(tmp_path):
    os.makedirs(tmp_path / 'docs')
    (tmp_path / 'docs' / 'other.md').write_text('# Other page\n\n## Usage\n')
    (tmp_path / 'docs' / 'page.md').write_text(
        '# Page\n\n'
        'Fine: [other](other.md), [usage](other.md#usage), [top](#page), '
        '[site](https://example.org/x.md).\n'
        '![figure](missing.jpg)\n'
        'See [gone](gone.md) and [bad anchor](other.md#no-such).\n'
        '`[in code](nowhere.md)`\n'
        '```markdown\n[in a block](nowhere.md)\n```\n'
        '[ref]: ../nothing/here.py\n')
    assert broken_links('docs/page.md', str(tmp_path)) == [
        '4: missing.jpg (no such file docs/missing.jpg)',
        '5: gone.md (no such file docs/gone.md)',
        '5: other.md#no-such (no heading #no-such in docs/other.md)',
        '10: ../nothing/here.py (no such file nothing/here.py)',
    ]
