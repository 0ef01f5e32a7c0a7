"""Does choosing by uncertainty help? A simulated annotation loop on articles whose annotations we have.

Start from the seed articles; hold out a fixed, seeded fifth of the pool (the other real articles)
as the test set; then, per strategy, repeat: train on what is "annotated", score event F1 on the
held-out articles, let the strategy choose ``per_round`` articles of the pool with the model just
trained (``active.select``: same ranking and near-duplicate rule as ``arabic-events select``),
reveal their annotations, and add them. Every strategy starts from the same first model of a
repeat; repeats differ in the training seed, the held-out split stays fixed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from active.select import Strategy, pick, rank, score_pool
from model.document import Document
from model.predictor import EventExtractor
from training.config import TrainConfig
from training.folds import make_folds
from training.evaluation import predict_documents
from training.metrics import score
from training.store import inference_settings
from training.trainer import train


def held_out_split(pool: Sequence[Document], seed: int) -> tuple[list[Document], list[Document]]:
    """(the pool left to choose from, the fixed held-out fifth), split by document group."""
    held = set(make_folds(pool, 5, seed)[0])
    return [d for i, d in enumerate(pool) if i not in held], [d for i, d in enumerate(pool) if i in held]


def _fit(config: TrainConfig, documents: Sequence[Document]) -> EventExtractor:
    result = train(config, documents, show_progress=False)
    return EventExtractor(result.model, result.tokenizer, **inference_settings(config))


def _event_f1(extractor: EventExtractor, held_out: Sequence[Document]) -> float:
    return float(score(held_out, predict_documents(extractor, held_out))["events"]["events"]["f1"])


def simulate(
    config: TrainConfig, start: Sequence[Document], pool: Sequence[Document], held_out: Sequence[Document],
    strategies: Sequence[Strategy], rounds: int, per_round: int, repeats: int, max_similarity: float = 0.5,
    say: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Learning curves: per strategy, per repeat, event F1 on ``held_out`` after 0, per_round, ... articles added."""
    curves: dict[str, list[list[dict[str, Any]]]] = {s.value: [] for s in strategies}
    for repeat in range(repeats):
        seeded = config.replace(seed=config.seed + repeat)
        first = _fit(seeded, start)
        first_f1 = _event_f1(first, held_out)
        say(f"repeat {repeat + 1}/{repeats}: {len(start)} starting articles, event F1 {first_f1:.3f}")
        for strategy in strategies:
            labelled, remaining, extractor = list(start), list(pool), first
            curve = [{"added": 0, "event_f1": first_f1, "chosen": []}]
            for round_number in range(1, rounds + 1):
                candidates = score_pool(extractor, [(d.id, d.text) for d in remaining], strategy)
                chosen = {c.id for c in pick(rank(candidates, strategy, seeded.seed + round_number), per_round, max_similarity)}
                labelled += [d for d in remaining if d.id in chosen]
                remaining = [d for d in remaining if d.id not in chosen]
                extractor = _fit(seeded, labelled)
                f1 = _event_f1(extractor, held_out)
                curve.append({"added": len(labelled) - len(start), "event_f1": f1, "chosen": sorted(chosen)})
                say(f"repeat {repeat + 1}, {strategy.value}, round {round_number}: {len(labelled) - len(start)} added, event F1 {f1:.3f}")
            curves[strategy.value].append(curve)
    return {
        "config": {"backbone": config.backbone, "seed": config.seed, "epochs": config.epochs, "max_steps": config.max_steps},
        "start": [d.id for d in start], "held_out": [d.id for d in held_out], "pool": len(pool),
        "rounds": rounds, "per_round": per_round, "repeats": repeats, "curves": curves,
    }


def plot(result: dict[str, Any], path) -> None:
    """Event F1 against articles added, one line per strategy (mean over repeats, band from lowest to highest)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    figure, axes = plt.subplots(figsize=(6, 4), dpi=120)
    for name, runs in result["curves"].items():
        added = [point["added"] for point in runs[0]]
        scores = np.array([[point["event_f1"] for point in run] for run in runs])
        axes.plot(added, scores.mean(axis=0), marker="o", label=f"{name} (mean of {len(runs)})")
        axes.fill_between(added, scores.min(axis=0), scores.max(axis=0), alpha=0.2)
    axes.set_xticks([point["added"] for point in next(iter(result["curves"].values()))[0]])
    axes.set_xlabel("articles annotated beyond the seeds")
    axes.set_ylabel(f"event F1 on {len(result['held_out'])} held-out articles")
    axes.set_title("active learning: uncertainty vs random")
    axes.grid(alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
