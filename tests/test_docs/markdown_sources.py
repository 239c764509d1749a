"""The Markdown files of the documentation and the parts the docs tests
read: fenced blocks, links and headings."""
import glob
import os.path as osp
import re
from typing import Iterator, List, Tuple

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

#: Pages other branches add (linked from here already); the link and site
#: tests accept links to them while they are missing.
PENDING_PAGES = ()
#: Tools other branches add: named in the docs already, skipped while missing.
PENDING_TOOLS = ()

_FENCE = re.compile(r'^```(\w*)[^\n]*\n(.*?)^```[ \t]*$', re.M | re.S)
_INLINE_CODE = re.compile(r'(`+)(?:(?!\1).)+?\1', re.S)
_LINK = re.compile(r'!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?'
                   r'(?:\s+"[^"]*")?\s*\)')
_REFERENCE = re.compile(r'^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)', re.M)
_IMG_TAG = re.compile(r'<img\s[^>]*src="([^"]+)"', re.I)
_HEADING = re.compile(r'^#{1,6}\s+(.*?)\s*#*\s*$', re.M)


def markdown_files() -> List[str]:
    """README.md and every page under docs/, as repository paths."""
    pages = glob.glob(osp.join(REPO, 'docs', '**', '*.md'), recursive=True)
    return ['README.md'] + sorted(osp.relpath(p, REPO) for p in pages)


def read(path: str) -> str:
    with open(osp.join(REPO, path), encoding='utf-8') as f:
        return f.read()


def fenced_blocks(text: str) -> Iterator[Tuple[str, str, int]]:
    """(language, content, line number of the content's first line) of
    every fenced code block."""
    for match in _FENCE.finditer(text):
        line = text.count('\n', 0, match.start(2)) + 1
        yield match.group(1), match.group(2), line


def _prose(text: str) -> str:
    """The text without code: fenced blocks and inline code spans are
    blanked (newlines kept, so line numbers stay)."""
    def blank(match):
        return re.sub(r'[^\n]', ' ', match.group(0))

    return _INLINE_CODE.sub(blank, _FENCE.sub(blank, text))


def link_targets(text: str) -> Iterator[Tuple[str, int]]:
    """(target, line number) of every link and image outside code."""
    prose = _prose(text)
    for pattern in (_LINK, _REFERENCE, _IMG_TAG):
        for match in pattern.finditer(prose):
            yield match.group(1), prose.count('\n', 0, match.start()) + 1


_REPO_PATH = re.compile(
    r'^(?:configs|tools|tests|glore_mmseg|glore_mmseg_hook|docs)/[\w./-]*$')


def repository_paths(text: str) -> Iterator[Tuple[str, int]]:
    """(path, line number) of every inline code span that names a file or
    folder of the repository (``configs/...``, ``tools/...``, ``tests/...``,
    ``glore_mmseg/...``, ``docs/...``), placeholders such as ``...`` or
    ``<name>`` excepted."""
    prose = _FENCE.sub(lambda m: re.sub(r'[^\n]', ' ', m.group(0)), text)
    for match in _INLINE_CODE.finditer(prose):
        span = match.group(0).strip('`').strip()
        if _REPO_PATH.match(span) and '...' not in span:
            yield span, prose.count('\n', 0, match.start()) + 1


def slugify(heading: str) -> str:
    """The anchor of a heading, as mkdocs' toc extension and GitHub make
    it for plain headings: lower case, punctuation dropped, spaces and
    hyphens runs to one hyphen."""
    text = re.sub(r'[`*_]|<[^>]+>', '', heading)
    text = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', text)
    text = re.sub(r'[^\w\s-]', '', text).strip().lower()
    return re.sub(r'[-\s]+', '-', text)


def anchors(text: str) -> set:
    """The anchors of all headings of a Markdown text (outside code)."""
    prose = _FENCE.sub('', text)
    return {slugify(m.group(1)) for m in _HEADING.finditer(prose)}
