import torch
import torch._dynamo

from glore_mmseg.benchmarking.compile import (compile_segmentor,
                                              compiled_graph_count)
from glore_mmseg.benchmarking.segmentors import (build_segmentor,
                                                 synthetic_batch)
from tests.conftest import DEMO_CONFIG


def loss_of(model, inputs, samples):
    return model.parse_losses(model.loss(inputs, samples))[0]


def test_compiling_the_segmentor_object_compiles_nothing():
    # What compile_segmentor exists for: mmseg's loss is a plain method,
    # which torch.compile(model) hands back eager.
    torch._dynamo.reset()
    model = build_segmentor(DEMO_CONFIG, 'cpu')
    inputs, samples = synthetic_batch(1, 64, 128, 'cpu')
    before = compiled_graph_count()
    loss_of(torch.compile(model, backend='eager'), inputs, samples)
    assert compiled_graph_count() == before


def test_compile_segmentor_produces_graphs_and_the_same_loss():
    torch._dynamo.reset()
    model = build_segmentor(DEMO_CONFIG, 'cpu')
    model.eval()  # no dropout: eager and compiled losses comparable
    inputs, samples = synthetic_batch(1, 64, 128, 'cpu')
    expected = loss_of(model, inputs, samples)
    before = compiled_graph_count()
    compile_segmentor(model, backend='eager')
    torch.testing.assert_close(loss_of(model, inputs, samples), expected)
    # Backbone, decode head and auxiliary head: a graph each at least.
    assert compiled_graph_count() - before >= 3
