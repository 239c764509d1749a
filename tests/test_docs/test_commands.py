"""Every tool invocation in the ``bash`` blocks of README.md and docs/
names an existing tool and only options of that tool's argument parser.

Checked in this process from the parsers themselves (no subprocess per
command), for ``python tools/<name>.py``, ``bash tools/<name>.sh`` (whose
extra arguments go to ``tools/train.py`` or ``tools/test.py``) and
``glore-mmseg <subcommand>``.
"""
import argparse
import os.path as osp
import re
import shlex
from typing import List, NamedTuple, Optional

import pytest

from glore_mmseg.cli import build_parser
from tests.conftest import TOOL_COMMANDS
from tests.test_docs.markdown_sources import (PENDING_TOOLS, REPO,
                                              fenced_blocks, markdown_files,
                                              read)


def _parser_for(tool_stem: str) -> argparse.ArgumentParser:
    """The ArgumentParser of ``tools/<tool_stem>.py``: that of its
    ``glore-mmseg`` command."""
    return build_parser(
        TOOL_COMMANDS.get(tool_stem, tool_stem.replace('_', '-')))


#: ``glore-mmseg`` subcommands whose tool has another name.
SUBCOMMAND_TOOLS = {
    command: stem
    for stem, command in TOOL_COMMANDS.items()
}
#: Launchers and the Python tool that their extra arguments go to.
LAUNCHER_TOOLS = {
    'dist_train.sh': 'train',
    'dist_test.sh': 'test',
    'slurm_train.sh': 'train',
    'slurm_test.sh': 'test',
}

_TOOL = re.compile(r'^(?:\./)?tools/([\w-]+\.(?:py|sh))$')
_SEPARATORS = {'&&', '||', ';', '|', '&', '(', ')'}


class Invocation(NamedTuple):
    where: str  # 'file:line'
    tool: Optional[str]  # file name under tools/, None: `glore-mmseg` alone
    parser_stem: Optional[str]  # tools/<stem>.py whose parser takes options
    options: List[str]


def _commands(block: str):
    """Shell words of each simple command of a bash block, with the line
    each starts on (continuation lines joined, comments dropped)."""
    lines = block.split('\n')
    number = 0
    while number < len(lines):
        start, line = number, lines[number]
        while line.endswith('\\') and number + 1 < len(lines):
            number += 1
            line = line[:-1] + ' ' + lines[number]
        number += 1
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        command = []
        for word in lexer:
            if word in _SEPARATORS:
                if command:
                    yield start, command
                command = []
            else:
                command.append(word)
        if command:
            yield start, command


def _options(words: List[str]) -> List[str]:
    options = []
    for word in words:
        word = word.strip('[]')
        if re.match(r'^--?[A-Za-z]', word):
            options.append(word.split('=', 1)[0])
    return options


def invocations(text: str, source: str) -> List[Invocation]:
    """The tool invocations of the ``bash`` blocks of a Markdown text."""
    found = []
    for language, block, first_line in fenced_blocks(text):
        if language != 'bash':
            continue
        for offset, words in _commands(block):
            where = f'{source}:{first_line + offset}'
            for i, word in enumerate(words):
                match = _TOOL.match(word)
                if match:
                    tool = match.group(1)
                    rest = words[i + 1:]
                    if tool == 'dist_launch.sh':
                        stem = osp.splitext(rest[1])[0] if len(rest) > 1 \
                            else None
                    elif tool.endswith('.sh'):
                        stem = LAUNCHER_TOOLS.get(tool)
                    else:
                        stem = osp.splitext(tool)[0]
                    found.append(Invocation(where, tool, stem,
                                            _options(rest)))
                    break
                if word == 'glore-mmseg':
                    rest = words[i + 1:]
                    if not rest or rest[0].startswith('-'):
                        found.append(Invocation(where, None, None,
                                                _options(rest)))
                    else:
                        stem = SUBCOMMAND_TOOLS.get(
                            rest[0], rest[0].replace('-', '_'))
                        found.append(Invocation(where, f'{stem}.py', stem,
                                                _options(rest[1:])))
                    break
    return found


def problems_of(invocation: Invocation) -> List[str]:
    """What does not exist: the tool, or options its parser lacks."""
    if invocation.tool is None:
        unknown = set(invocation.options) - {'-h', '--help', '--version'}
        return [f'{invocation.where}: glore-mmseg {sorted(unknown)}'
                ] if unknown else []
    if not osp.isfile(osp.join(REPO, 'tools', invocation.tool)):
        if f'tools/{invocation.tool}' in PENDING_TOOLS:
            return []
        return [f'{invocation.where}: no tool tools/{invocation.tool}']
    if invocation.parser_stem is None:
        return []
    if not osp.isfile(osp.join(REPO, 'tools',
                               f'{invocation.parser_stem}.py')):
        return [f'{invocation.where}: no tool '
                f'tools/{invocation.parser_stem}.py']
    known = _parser_for(invocation.parser_stem)._option_string_actions
    return [
        f'{invocation.where}: tools/{invocation.parser_stem}.py has no '
        f'option {option}' for option in invocation.options
        if option not in known
    ]


def _all_invocations() -> List[Invocation]:
    return [
        invocation for path in markdown_files()
        for invocation in invocations(read(path), path)
    ]


def test_every_documented_command_uses_existing_tools_and_options():
    found = _all_invocations()
    # Every guide's commands are collected, not a few of them.
    assert len(found) >= 30
    assert {inv.parser_stem for inv in found} >= {
        'train', 'test', 'infer', 'demo', 'visualize_projection',
        'check_dataset', 'build_decoded_cache', 'benchmark',
        'benchmark_data', 'benchmark_cov'
    }
    problems = [p for inv in found for p in problems_of(inv)]
    assert problems == []


def test_made_up_options_and_tools_are_caught():
    text = '\n'.join([
        'Prose: python tools/train.py X --not-checked-outside-blocks',
        '```bash',
        'python tools/train.py CONFIG --resume --made-up-option 3',
        'bash tools/dist_test.sh CONFIG CKPT 4 --tta flip --bogus=1  # x',
        'glore-mmseg build-cache data/cityscapes --nproc 2 --no-such',
        'python tools/no_such_tool.py --help && \\',
        '    glore-mmseg visualize-projection C K I --out D --nodes 4',
        'NNODES=2 bash tools/dist_launch.sh 2 infer.py C K I --out O',
        '```',
        '```python',
        'python tools/train.py CONFIG --ignored-in-python-blocks',
        '```',
    ])
    found = invocations(text, 'page.md')
    assert [(inv.where, inv.parser_stem) for inv in found] == [
        ('page.md:3', 'train'), ('page.md:4', 'test'),
        ('page.md:5', 'build_decoded_cache'), ('page.md:6', 'no_such_tool'),
        ('page.md:6', 'visualize_projection'), ('page.md:8', 'infer')
    ]
    assert [p for inv in found for p in problems_of(inv)] == [
        'page.md:3: tools/train.py has no option --made-up-option',
        'page.md:4: tools/test.py has no option --bogus',
        'page.md:5: tools/build_decoded_cache.py has no option --no-such',
        'page.md:6: no tool tools/no_such_tool.py',
    ]


@pytest.mark.parametrize('stem', ['train', 'test', 'infer'])
def test_the_parser_is_the_tools_own(stem):
    parser = _parser_for(stem)
    assert isinstance(parser, argparse.ArgumentParser)
    assert '--cfg-options' in parser._option_string_actions or \
        stem == 'infer'
    assert '--this-option-does-not-exist' not in \
        parser._option_string_actions
