"""The ``glore-mmseg`` command: subcommands, help, errors, exit status."""
import glob
import os.path as osp
import shutil

import pytest

from glore_mmseg import cli
from tests.conftest import DEMO_CONFIG, REPO, label_file, put_label_value


def test_every_tool_is_a_subcommand_and_back():
    tools = {
        osp.splitext(osp.basename(path))[0]
        for path in glob.glob(osp.join(REPO, 'tools', '*.py'))
    }
    modules = {module for module, _ in cli.available_commands().values()}
    renamed = {'build_decoded_cache': 'build_cache',
               'convert_official_weights': 'convert'}
    assert {renamed.get(tool, tool) for tool in tools} == modules
    for tool in tools:
        with open(osp.join(REPO, 'tools', f'{tool}.py')) as f:
            text = f.read()
        command = next(name for name, (module, _) in cli.COMMANDS.items()
                       if module == renamed.get(tool, tool))
        assert f"run('{command}')" in text, tool


def test_help_lists_the_commands(capsys):
    assert cli.main(['--help']) == 0
    out = capsys.readouterr().out
    for command, (_, summary) in cli.available_commands().items():
        assert f'  {command}' in out and summary in out
    assert cli.main([]) == 2  # no command: usage, and a failing status


def test_a_subcommand_parses_as_its_tool(capsys):
    parser = cli.build_parser('visualize-projection')
    assert parser.prog == 'glore-mmseg visualize-projection'
    args = parser.parse_args(['cfg.py', 'ckpt.pth', 'images', '--out', 'o'])
    assert (args.config, args.out) == ('cfg.py', 'o')
    with pytest.raises(SystemExit):
        cli.main(['train', '--help'])
    assert capsys.readouterr().out.startswith('usage: glore-mmseg train')


def test_an_unknown_command_suggests_the_closest(capsys):
    with pytest.raises(SystemExit, match="unknown command 'trian'.*train"):
        cli.main(['trian', 'config.py'])


def test_the_exit_status_of_a_command_is_returned(cityscapes_copy):
    options = [
        DEMO_CONFIG, '--split', 'val', '--cfg-options',
        f'val_dataloader.dataset.data_root={cityscapes_copy}'
    ]
    assert cli.main(['check-dataset', *options]) == 0
    put_label_value(label_file(cityscapes_copy, 'val', 0), 77)
    assert cli.main(['check-dataset', *options]) == 1


@pytest.mark.skipif(shutil.which('glore-mmseg') is None,
                    reason='the console script is installed by pip')
def test_the_console_script_is_installed():
    assert osp.basename(shutil.which('glore-mmseg')) == 'glore-mmseg'
