# Training safeguards of glore_mmseg (docs/en/reliability.md): stop at the
# first non-finite loss or gradient norm before anything is saved, and store
# every random state in the checkpoints so that a resumed run repeats the
# uninterrupted one. Configs that inherit this also set
# default_hooks.checkpoint.type='AtomicCheckpointHook' (their schedule base
# owns default_hooks). tools/train.py adds the same to configs without them;
# listing them here gives them to mmseg's and mmpretrain's own train.py too.
custom_hooks = [
    dict(type='CheckFiniteLossHook'),
    dict(type='RandomStateHook'),
]
