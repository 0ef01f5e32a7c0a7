"""Where a training step of the default recipe spends its time, and what each speed-up tried gives.

The same batches of the default config's data (the first ``--steps`` of its seeded order) are
trained from the same starting weights by each variant in turn, the order rotated every round;
a variant's speed is the median of its rounds, and its ratio to the baseline is taken within
each round (so a machine whose speed drifts, or that runs something else, still gives a fair
ratio), reported as the median and the range. A profile of the shipped variant then groups the
operators' own time: matrix multiplies, dropout's random masks, the optimizer, the rest.

    python -m benchmarks.training_step [--steps 12] [--rounds 3] [-o FILE.json]

Only the shipped variant trains models; the others are measured here so that the README can say
what each gives (a recipe change such as freezing layers would also need its scores
cross-validated before it could ship).
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from rich.console import Console
from rich.table import Table
from transformers import AutoTokenizer

from benchmarks.run import machine, matmul_gflops
from model.atomic import atomic_write_text, check_output
from model.backbones import resolve_backbone
from model.corpus_io import read_corpus
from model.errors import UserError
from model.tagger import EventTagger
from training.config import TrainConfig
from training.data import build_dataset
from training.trainer import batches, make_optimizer, new_tagger, seed_everything, token_class_weights, train_step

ROOT = Path(__file__).resolve().parent.parent
console = Console(stderr=True)


def freeze_lower_layers(model: EventTagger, layers: int) -> None:
    """No gradient for the embeddings and the lowest ``layers`` encoder layers (a recipe change)."""
    for parameter in model.encoder.embeddings.parameters():
        parameter.requires_grad_(False)
    for layer in model.encoder.encoder.layer[:layers]:
        for parameter in layer.parameters():
            parameter.requires_grad_(False)


@dataclass(frozen=True)
class Variant:
    name: str
    fused: bool
    prepare: Callable[[EventTagger], None] = lambda model: None


VARIANTS = [
    Variant("AdamW, per-tensor loop (before)", fused=False),
    Variant("AdamW, fused (shipped)", fused=True),
    Variant("fused, lower half of the layers frozen (not shipped)", fused=True,
            prepare=lambda m: freeze_lower_layers(m, m.config.encoder.num_hidden_layers // 2)),
]
BASELINE = VARIANTS[0].name
SHIPPED = VARIANTS[1].name

OPERATOR_GROUPS = {
    "matrix multiplies": ("aten::mm", "aten::addmm", "aten::bmm", "aten::matmul"),
    "dropout masks": ("aten::bernoulli_",),
    "optimizer": ("aten::_fused_adamw_", "aten::_foreach_"),
}


def group_of(operator: str) -> str:
    return next((group for group, names in OPERATOR_GROUPS.items() if operator.startswith(names)), "everything else")


def training_flops_per_token(model: EventTagger) -> float:
    """Forward 2 FLOPs per encoder and head weight, backward 2 for the input gradients and 2 more per trained weight
    (the embedding lookups are free; attention scores, small for sentences of about 40 pieces, are left out)."""
    weights = [(p.numel(), p.requires_grad) for n, p in model.named_parameters() if "embeddings" not in n]
    return 4 * sum(n for n, _ in weights) + 2 * sum(n for n, trained in weights if trained)


def least_training_seconds(epochs: int, epoch_tokens: int, flops_per_token: float, gflops: float) -> float:
    """No training of the recipe is faster on this CPU: every FLOP of every epoch at the matrix-multiply limit."""
    return epochs * epoch_tokens * flops_per_token / (gflops * 1e9)


def time_variant(variant: Variant, start: EventTagger, steps: list[dict[str, torch.Tensor]], config: TrainConfig,
                 weights: torch.Tensor | None) -> tuple[float, float]:
    """Seconds for ``steps`` (after one warm-up step) from the weights of ``start``, and the training FLOPs per token."""
    model = copy.deepcopy(start)
    variant.prepare(model)
    model.train()
    optimizer = make_optimizer(model, config, fused=variant.fused)
    train_step(model, steps[0], config, weights, optimizer)
    began = time.perf_counter()
    for batch in steps:
        train_step(model, batch, config, weights, optimizer)
    return time.perf_counter() - began, training_flops_per_token(model)


def profile_groups(start: EventTagger, steps: list[dict[str, torch.Tensor]], config: TrainConfig,
                   weights: torch.Tensor | None) -> tuple[dict[str, float], list[tuple[str, float]]]:
    """Share of the operators' own CPU time per group, and the top operators, over ``steps`` of the shipped variant."""
    from torch.profiler import ProfilerActivity, profile

    model = copy.deepcopy(start)
    model.train()
    optimizer = make_optimizer(model, config)
    train_step(model, steps[0], config, weights, optimizer)
    with profile(activities=[ProfilerActivity.CPU]) as profiler:
        for batch in steps:
            train_step(model, batch, config, weights, optimizer)
    own = [(e.key, e.self_cpu_time_total) for e in profiler.key_averages()]
    total = sum(t for _, t in own)
    groups: dict[str, float] = {}
    for key, spent in own:
        groups[group_of(key)] = groups.get(group_of(key), 0.0) + spent / total
    top = sorted(own, key=lambda pair: -pair[1])[:8]
    return groups, [(key, spent / total) for key, spent in top]


def run(config_file: Path, steps: int, rounds: int) -> dict[str, Any]:
    config = TrainConfig.from_yaml(config_file)
    documents = read_corpus([ROOT / p for p in config.data], say=console.print)
    encoder_path = resolve_backbone(config.backbone, (d.text for d in documents))
    tokenizer = AutoTokenizer.from_pretrained(encoder_path)
    seed_everything(config.seed)
    start = new_tagger(config, encoder_path)
    dataset = build_dataset(documents, tokenizer, config.max_length, config.window_stride)
    weights = token_class_weights(dataset["token_labels"]) if config.class_weighting else None
    loader = batches(dataset, config, tokenizer.pad_token_id)
    if steps > len(loader):
        raise UserError(f"--steps {steps}: the config's data gives only {len(loader)} batches")
    sample = [batch for batch, _ in zip(loader, range(steps))]
    tokens = sum(int(b["input_ids"].numel()) for b in sample)
    epoch_tokens = sum(int(b["input_ids"].numel()) for b in loader)  # the padded tokens of one epoch of the recipe
    limit = matmul_gflops()

    seconds: dict[str, list[float]] = {v.name: [] for v in VARIANTS}
    flops: dict[str, float] = {}
    ratios: dict[str, list[float]] = {v.name: [] for v in VARIANTS}
    for round_number in range(rounds):
        order = VARIANTS[round_number % len(VARIANTS):] + VARIANTS[: round_number % len(VARIANTS)]
        this_round = {}
        for variant in order:
            console.print(f"round {round_number + 1}/{rounds}: {variant.name}")
            this_round[variant.name], flops[variant.name] = time_variant(variant, start, sample, config, weights)
            seconds[variant.name].append(this_round[variant.name])
        for name, spent in this_round.items():
            ratios[name].append(this_round[BASELINE] / spent)
    console.print("profile of the shipped variant")
    groups, top = profile_groups(start, sample, config, weights)
    return {
        "machine": machine(),
        "threads": torch.get_num_threads(),
        "config": str(config_file),
        "steps": steps,
        "rounds": rounds,
        "padded_tokens": tokens,
        "matmul_gflops": round(limit, 1),
        "epochs": config.epochs,
        "epoch_padded_tokens": epoch_tokens,
        "training_seconds_at_matmul_limit": round(least_training_seconds(config.epochs, epoch_tokens, flops[SHIPPED], limit), 1),
        "variants": {
            name: {
                "tokens_per_second": round(tokens / statistics.median(spent), 1),
                "ms_per_step": round(1000 * statistics.median(spent) / steps, 1),
                "speed_vs_baseline": {"median": round(statistics.median(ratios[name]), 3),
                                      "min": round(min(ratios[name]), 3), "max": round(max(ratios[name]), 3)},
                "of_matmul_limit": round(tokens / statistics.median(spent) * flops[name] / 1e9 / limit, 3),
            }
            for name, spent in seconds.items()
        },
        "profile_groups": {k: round(v, 3) for k, v in sorted(groups.items(), key=lambda kv: -kv[1])},
        "profile_top": [[k, round(v, 3)] for k, v in top],
    }


def show(result: dict[str, Any]) -> None:
    table = Table(title=f"training step, {result['steps']} batches of {Path(result['config']).name}'s data "
                        f"({result['padded_tokens']} padded tokens), {result['rounds']} rounds, {result['threads']} threads")
    for column in ("variant", "ms / step", "tokens / s", "speed vs before (median, range)", "of fp32 matmul limit"):
        table.add_column(column, justify="left" if column == "variant" else "right")
    for name, v in result["variants"].items():
        ratio = v["speed_vs_baseline"]
        table.add_row(name, f"{v['ms_per_step']:.0f}", f"{v['tokens_per_second']:.0f}",
                      f"{ratio['median']:.2f} ({ratio['min']:.2f}–{ratio['max']:.2f})", f"{v['of_matmul_limit']:.2f}")
    console.print(table)
    console.print(result["machine"])
    console.print(f"the recipe's {result['epochs']} epochs of {result['epoch_padded_tokens']:,} padded tokens each take at least "
                  f"{result['training_seconds_at_matmul_limit']:,.0f} s at the fp32 matmul limit ({SHIPPED})")
    shares = Table(title=f"where the shipped step's time goes (operators' own CPU time; matmul limit {result['matmul_gflops']} GFLOP/s)")
    shares.add_column("group")
    shares.add_column("share", justify="right")
    for name, share in result["profile_groups"].items():
        shares.add_row(name, f"{share:.0%}")
    console.print(shares)


def positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of at least 1")
    return int(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "configs" / "default.yaml")
    parser.add_argument("--steps", type=positive, default=12, help="batches timed per variant and round")
    parser.add_argument("--rounds", type=positive, default=3)
    parser.add_argument("-o", "--output", type=Path)
    args = parser.parse_args()
    try:
        if args.output:
            check_output(args.output, [args.config])
        if args.config.is_dir():
            raise UserError(f"{args.config}: is a folder, expected a config file")
        result = run(args.config, args.steps, args.rounds)
    except UserError as error:
        parser.exit(1, f"error: {error}\n")
    show(result)
    if args.output:
        atomic_write_text(args.output, json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
