"""glore-mmseg: GloRe, GSoP-Net and 3G-Net for OpenMMLab 2.0."""
import os.path as osp
import shutil

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

#: Loaded by Python at start-up from site-packages: it installs the
#: ``mmcv.ops`` import hook of ``glore_mmseg_hook`` (nothing else is
#: imported), so mmseg's own API and tools work on mmcv-lite.
HOOK_PTH = 'glore_mmseg_hook.pth'
#: What the package carries in ``glore_mmseg/.mim`` (OpenMMLab's layout, where
#: mmengine resolves ``glore_mmseg::`` configs). In the repository these are
#: links to the top-level folders; a wheel gets copies.
MIM_FILES = ('configs', 'tools', 'model-index.yml')


def read_version() -> str:
    scope: dict = {}
    with open(osp.join('glore_mmseg', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


class BuildPyWithHook(build_py):
    """``build_py`` that also puts :data:`HOOK_PTH` at the wheel's root
    (site-packages), for regular and for editable (PEP 660) wheels, and
    copies :data:`MIM_FILES` into a regular wheel's ``glore_mmseg/.mim``
    (an editable install reads the repository's links)."""

    def run(self) -> None:
        super().run()
        if getattr(self, 'editable_mode', False):
            # An editable wheel holds only what is in its root folder, which
            # setuptools uses as the install command's install_lib.
            target = self.get_finalized_command('install').install_lib
        else:
            target = self.build_lib
            self.copy_mim_files(osp.join(target, 'glore_mmseg', '.mim'))
        self.copy_file(HOOK_PTH, osp.join(target, HOOK_PTH))

    def copy_mim_files(self, mim_dir: str) -> None:
        if osp.lexists(mim_dir):
            shutil.rmtree(mim_dir)  # the links a build may have copied
        ignore = shutil.ignore_patterns('__pycache__', '*.pyc')
        for name in MIM_FILES:
            target = osp.join(mim_dir, name)
            if osp.isdir(name):
                shutil.copytree(name, target, ignore=ignore)
            else:
                self.mkpath(mim_dir)
                shutil.copyfile(name, target)


setup(
    name='glore-mmseg',
    version=read_version(),
    description='Graph-based Global Reasoning (GloRe), GSoP-Net and 3G-Net '
    'global-context modules for mmsegmentation and mmpretrain',
    long_description=open('README.md').read(),
    long_description_content_type='text/markdown',
    packages=find_packages(
        include=['glore_mmseg', 'glore_mmseg.*', 'glore_mmseg_hook']),
    cmdclass={'build_py': BuildPyWithHook},
    entry_points={'console_scripts': ['glore-mmseg=glore_mmseg.cli:main']},
    python_requires='>=3.9',
    install_requires=[
        # torch and torchvision must come as a pair built for each other;
        # install them first (README "Quick start").
        'torch>=2.6',
        'torchvision',
        'mmengine==0.10.7',
        'mmsegmentation==1.2.2',
        # ImageNet classifiers (GloRe / GSoP-Net / 3G-Net); it needs a
        # torchvision matching torch (undeclared by it).
        'mmpretrain==1.2.0',
        # mmseg 1.2.2 imports these without declaring them.
        'ftfy',
        'regex',
        # mmengine resolves `mmseg::` base configs with pkg_resources,
        # which setuptools 82 removed; torch needs >= 77.0.3.
        'setuptools>=77.0.3,<82',
        'cityscapesscripts>=2.2.0',
        'numpy',
    ],
    extras_require={
        # mmcv is not required directly so that an existing compiled
        # mmcv==2.1.0 is never overwritten: pick one of these.
        'lite': ['mmcv-lite==2.1.0'],
        'full': ['mmcv==2.1.0'],
        'tests': ['pytest'],
        # `mkdocs build --strict` of docs/ (mkdocs.yml).
        'docs': ['mkdocs==1.6.1'],
        # libspng PNG decoding for the fast Cityscapes train pipeline;
        # without it the pipeline decodes with OpenCV.
        'fast-png': ['pyspng'],
        # tools/export.py and ONNX inference (glore_mmseg/deploy)
        'deploy': ['onnx>=1.23,<1.24', 'onnxruntime>=1.32,<1.33',
                   'onnxscript>=0.7.2,<0.8'],
    },
    zip_safe=False,
)
