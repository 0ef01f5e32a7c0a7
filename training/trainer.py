"""Fine-tuning the joint tagger on annotated documents: a plain, deterministic PyTorch loop."""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import torch
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from datasets import Dataset
from torch.utils.data import DataLoader
from transformers import AutoTokenizer, PreTrainedTokenizerBase, get_linear_schedule_with_warmup

from model.backbones import resolve_backbone
from model.document import Document
from model.labels import BIO_TAGS
from model.tagger import EventTagger
from training.config import TrainConfig
from training.data import LengthGroupedBatches, build_dataset, collate


@dataclass
class TrainResult:
    model: EventTagger
    tokenizer: PreTrainedTokenizerBase
    epochs: int
    steps: int
    seconds: float
    final_loss: float
    epoch_losses: list[float]
    train_windows: int


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def token_class_weights(labels: Sequence[Sequence[int]]) -> torch.Tensor:
    """sqrt(count(O) / count(tag)), capped at 10; 1 for O and for tags never seen."""
    counts = Counter(label for row in labels for label in row if label >= 0)
    outside = counts.get(0, 1)
    weights = [min(10.0, math.sqrt(outside / counts[i])) if counts.get(i) else 1.0 for i in range(len(BIO_TAGS))]
    weights[0] = 1.0
    return torch.tensor(weights)


def new_tagger(config: TrainConfig, encoder_path: str) -> EventTagger:
    """A tagger to fine-tune: the pretrained encoder with new heads, the embeddings frozen if ``config`` says so."""
    model = EventTagger.from_encoder(encoder_path, config.backbone, config.head_dropout)
    if config.freeze_embeddings:
        model.encoder.get_input_embeddings().weight.requires_grad_(False)
    return model


def batches(dataset: Dataset, config: TrainConfig, pad_id: int) -> DataLoader:
    """The training batches: windows of similar length together, in a seeded order (``LengthGroupedBatches``)."""
    return DataLoader(
        dataset,
        batch_sampler=LengthGroupedBatches([len(x) for x in dataset["input_ids"]], config.batch_size, config.seed),
        collate_fn=partial(collate, pad_id=pad_id),
    )


def make_optimizer(model: EventTagger, config: TrainConfig, fused: bool = True) -> torch.optim.AdamW:
    """AdamW with the encoder's and the heads' learning rates.

    ``fused``: one kernel over all parameters instead of a loop over them (``False``), the same update;
    ``python -m benchmarks.training_step`` times both."""
    heads = [p for n, p in model.named_parameters() if not n.startswith("encoder.") and p.requires_grad]
    encoder = [p for n, p in model.named_parameters() if n.startswith("encoder.") and p.requires_grad]
    return torch.optim.AdamW(
        [{"params": encoder, "lr": config.lr_encoder}, {"params": heads, "lr": config.lr_heads}],
        weight_decay=config.weight_decay,
        fused=fused,
    )


def train_step(
    model: EventTagger,
    batch: dict[str, torch.Tensor],
    config: TrainConfig,
    weights: torch.Tensor | None,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
) -> float:
    """One optimisation step on ``batch``; its loss."""
    output = model(
        **batch,
        token_class_weights=weights,
        token_loss_weight=config.token_loss_weight,
        sentence_loss_weight=config.sentence_loss_weight,
    )
    output.loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    if scheduler is not None:
        scheduler.step()
    optimizer.zero_grad()
    return output.loss.item()


def train(config: TrainConfig, documents: Sequence[Document], show_progress: bool = True) -> TrainResult:
    """Fine-tune a new tagger on ``documents`` as ``config`` says."""
    encoder_path = resolve_backbone(config.backbone, (d.text for d in documents))
    tokenizer = AutoTokenizer.from_pretrained(encoder_path)
    seed_everything(config.seed)  # after resolving: building a backbone may draw random numbers
    model = new_tagger(config, encoder_path)

    dataset = build_dataset(documents, tokenizer, config.max_length, config.window_stride)
    loader = batches(dataset, config, tokenizer.pad_token_id)
    weights = token_class_weights(dataset["token_labels"]) if config.class_weighting else None

    optimizer = make_optimizer(model, config)
    total = config.epochs * len(loader)
    if config.max_steps:
        total = min(total, config.max_steps)
    scheduler = get_linear_schedule_with_warmup(optimizer, int(config.warmup_ratio * total), total)

    model.train()
    started = time.perf_counter()
    epoch_losses: list[float] = []
    step = 0
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("loss {task.fields[loss]:.4f}"), TimeRemainingColumn())
    # progress goes to stderr: stdout keeps what a command reports (retrain's table and decision)
    with Progress(*columns, console=Console(stderr=True), disable=not show_progress, transient=False) as progress:
        task = progress.add_task("training", total=total, loss=float("nan"))
        for epoch in range(config.epochs):
            losses = []
            for batch in loader:
                losses.append(train_step(model, batch, config, weights, optimizer, scheduler))
                step += 1
                progress.update(task, advance=1, loss=losses[-1], description=f"epoch {epoch + 1}/{config.epochs}")
                if step >= total:
                    break
            epoch_losses.append(float(np.mean(losses)))
            progress.console.print(
                f"epoch {epoch + 1}: mean loss {epoch_losses[-1]:.4f} ({time.perf_counter() - started:.0f} s)"
            )
            if step >= total:
                break
    model.eval()
    return TrainResult(
        model=model,
        tokenizer=tokenizer,
        epochs=len(epoch_losses),
        steps=step,
        seconds=time.perf_counter() - started,
        final_loss=epoch_losses[-1],
        epoch_losses=epoch_losses,
        train_windows=len(dataset),
    )
