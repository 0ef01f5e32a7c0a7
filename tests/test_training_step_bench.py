"""The training-step benchmark's accounting: which operators count as what, and the FLOPs it divides by."""

from benchmarks.training_step import freeze_lower_layers, group_of, least_training_seconds, training_flops_per_token
from model.backbones import resolve_backbone
from tests.conftest import ROOT
from training.config import TrainConfig
from training.trainer import new_tagger

TINY = TrainConfig.from_yaml(ROOT / "configs" / "tiny.yaml")


def test_operators_are_grouped_by_what_they_do():
    assert [group_of(op) for op in ("aten::addmm", "aten::bmm", "aten::bernoulli_", "aten::_fused_adamw_",
                                    "aten::_foreach_mul_", "aten::gelu")] == [
        "matrix multiplies", "matrix multiplies", "dropout masks", "optimizer", "optimizer", "everything else"]


def test_a_frozen_weight_saves_its_gradient_but_not_its_input_gradient():
    model = new_tagger(TINY, resolve_backbone(TINY.backbone, ["نص"]))
    weights = sum(p.numel() for n, p in model.named_parameters() if "embeddings" not in n)
    assert training_flops_per_token(model) == 6 * weights
    freeze_lower_layers(model, 1)
    frozen = sum(p.numel() for p in model.encoder.encoder.layer[0].parameters())
    assert training_flops_per_token(model) == 6 * weights - 2 * frozen


def test_the_least_training_time_is_every_flop_at_the_matmul_limit():
    # 8 epochs x 100,000 tokens x 127 MFLOP a token = 101.6 TFLOP; at 100 GFLOP/s, 1,016 s
    assert least_training_seconds(8, 100_000, 127e6, 100.0) == 1016.0
