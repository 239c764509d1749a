import time

from glore_mmseg.benchmarking.interleaved import (interleaved_order,
                                                  time_interleaved)


def test_order_rotates_each_round():
    assert interleaved_order('ABC', 2) == list('ABCBCA')
    assert interleaved_order('AB', 3) == list('ABBAAB')


def test_steps_run_interleaved_and_stats_rank_them():
    calls = []

    def sleeper(name, seconds):
        def step():
            calls.append(name)
            time.sleep(seconds)
        return step

    stats = time_interleaved(
        dict(fast=sleeper('fast', 0.002), slow=sleeper('slow', 0.02)),
        device='cpu', warmup=1, rounds=4)
    # Warm-up round, then four timed rounds: never two of one model in a
    # row within a round, never one model's block of runs.
    assert calls == ['fast', 'slow'] + ['fast', 'slow', 'slow', 'fast'] * 2
    for name, seconds in (('fast', 0.002), ('slow', 0.02)):
        s = stats[name]
        assert len(s['times_s']) == 4
        # A sleep lasts at least its time (more on a loaded machine).
        assert seconds <= s['min_s'] <= s['median_s'] <= s['max_s']
        assert s['spread'] == (s['max_s'] - s['min_s']) / s['median_s']
