"""The ``arabic-events`` command line: one entry point for every job of the project.

User errors (a missing file, a bad annotation) end in one specific line on
stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path

import click
import typer
from rich.console import Console

from model.articles import read_articles
from model.atomic import atomic_write_text, write_jsonl
from model.corpus_io import read_corpus, read_documents, write_documents
from model.errors import AnnotationProblems, UserError
from model.interchange import export_doccano, export_label_studio, import_annotations
from model.validation import validate_files

app = typer.Typer(
    help="Find attacks and retaliations, their triggers and arguments, in Arabic news.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
# Tables stay readable when the output goes to a file or a pipe (where rich assumes 80 columns).
console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True)


class ImportFormat(str, Enum):
    label_studio = "label-studio"
    doccano = "doccano"


@app.command()
def validate(files: list[Path] = typer.Argument(..., help="Annotated JSONL files.")) -> None:
    """Check annotated JSONL files against the scheme; list every problem as file:line: message."""
    documents, problems = validate_files(files)
    for problem in problems:
        print(problem)
    if problems:
        err.print(f"[red]{len(problems)} problem(s)[/] in {len(files)} file(s)")
        raise typer.Exit(1)
    spans = sum(len(d.spans) for d in documents)
    sentences = sum(len(d.sentences) for d in documents)
    console.print(f"ok: {len(documents)} documents, {sentences} sentences, {spans} spans")


@app.command("import")
def import_(
    export_file: Path = typer.Argument(..., help="The tool's export file."),
    source: ImportFormat = typer.Option(..., "--from", help="The tool that wrote the file."),
    output: Path = typer.Option(..., "-o", "--output", help="JSONL file to write."),
    accept_predictions: bool = typer.Option(
        False, "--accept-predictions",
        help="Label Studio: take the pre-annotations of tasks no annotator touched as annotations (marked in meta)."),
    keep_empty: bool = typer.Option(
        False, "--keep-empty",
        help="doccano: import documents without labels as negatives (its export cannot tell them from unlabelled ones)."),
) -> None:
    """Convert a Label Studio JSON export or a doccano JSONL export to the corpus format.

    Only finished annotations become documents. Label Studio: a task's completed annotation (not
    skipped, not a draft; the ground truth, else the latest), and a completed annotation without
    regions is kept as a negative; tasks without one are skipped and listed. doccano: documents
    without labels are skipped unless --keep-empty.
    """
    summary = import_annotations(source.value, export_file, accept_predictions, keep_empty)
    if not summary.documents:
        found = summary.skipped_line() if summary.skipped else f"it holds no {summary.item}"
        raise UserError(f"nothing to import from {export_file}: {found}; {output} not written")
    write_documents(output, summary.documents)
    console.print(summary.describe(str(output)), highlight=False, markup=False)


@app.command()
def export(
    corpus: Path = typer.Argument(..., help="Annotated JSONL file."),
    to: ImportFormat = typer.Option(..., "--to", help="The tool to export for."),
    output: Path = typer.Option(..., "-o", "--output", help="File to write."),
) -> None:
    """Export annotations as Label Studio tasks with pre-annotations, or as doccano JSONL."""
    documents = read_documents(corpus)
    if to is ImportFormat.label_studio:
        atomic_write_text(output, json.dumps(export_label_studio(documents), ensure_ascii=False, indent=1))
        console.print(
            f"wrote {len(documents)} tasks to {output}; label config: annotations/label-studio-config.xml"
        )
    else:
        write_jsonl(output, export_doccano(documents))
        console.print(f"wrote {len(documents)} records to {output}")


PROJECT_ROOT = Path(__file__).resolve().parent.parent
corpus_app = typer.Typer(help="The annotated corpus: fetch stand-off texts, export, statistics.", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")


def _note(message: str) -> None:
    err.print(message, highlight=False, markup=False)


def _standoff_files() -> list[Path]:
    return sorted((PROJECT_ROOT / "annotations" / "standoff").glob("*.jsonl"))


def _corpus_files() -> list[Path]:
    annotations = PROJECT_ROOT / "annotations"
    return [annotations / "corpus.jsonl", *_standoff_files(), annotations / "contrast.jsonl"]


@corpus_app.command("fetch")
def corpus_fetch(
    source: Path = typer.Option(None, "--from", help="A local copy of the ready texts (e.g. ../shared/corpus-extra)."),
    origins_dir: Path = typer.Option(None, "--origins", help="A local copy of the origin files (e.g. ../shared/corpus-origins)."),
    texts: Path = typer.Option(None, "--texts", help="Where to put the texts (default: corpus-texts/ or $ARABIC_EVENTS_TEXTS)."),
    timeout: float = typer.Option(30.0, "--timeout", min=0.1, help="Seconds to wait for a download to connect or send data."),
) -> None:
    """Fill the texts folder that the stand-off annotations join with, checking every sha256.

    With no option, download each origin file once from its public URL at the
    pinned commit and derive the texts with the recipes in annotations/standoff/origins/.
    """
    from model.standoff import default_texts_dir, fetch_texts
    from origins.derive import fetch_from_origins

    if source is not None and origins_dir is not None:
        raise UserError("give either --from (ready texts) or --origins (origin files), not both")
    folder = texts or default_texts_dir()
    if source is not None:
        written = fetch_texts(source, folder, _standoff_files())
    else:
        written = fetch_from_origins(_standoff_files(), folder, origins_dir, timeout=timeout, say=_note, console=err)
    how = "derived from the origins" if source is None else "copied"
    for name, count in written.items():
        console.print(f"{name}: {count} texts {how}, sha256 checked -> {folder / name}")


@corpus_app.command("recipes")
def corpus_recipes(
    origins_dir: Path = typer.Option(..., "--origins", help="A local copy of the origin files (e.g. ../shared/corpus-origins)."),
    source: Path = typer.Option(..., "--from", help="The texts to make recipes for (e.g. ../shared/corpus-extra)."),
    output: Path = typer.Option(None, "-o", "--output", help="Folder to write the recipes to (default: annotations/standoff/origins/)."),
) -> None:
    """Rebuild the recipes that derive each text from its origin file (offsets, never copied text)."""
    from origins.build import build_recipes
    from origins.manifest import RECIPES_DIR

    written = build_recipes(origins_dir, source, output or RECIPES_DIR, say=_note)
    console.print(f"wrote the recipes of {sum(written.values())} texts to {output or RECIPES_DIR}")


@corpus_app.command("export")
def corpus_export(
    output: Path = typer.Option(..., "-o", "--output", help="JSONL file to write."),
    texts: Path = typer.Option(None, "--texts", help="The fetched texts folder (default: corpus-texts/)."),
) -> None:
    """Write the whole joined corpus (seeds, stand-off records with their texts, contrast set) as full JSONL."""
    documents = read_corpus(_corpus_files(), texts, say=_note)
    write_documents(output, documents)
    console.print(f"wrote {len(documents)} documents to {output}")


@corpus_app.command("stats")
def corpus_stats(
    texts: Path = typer.Option(None, "--texts", help="The fetched texts folder (default: corpus-texts/)."),
) -> None:
    """Documents, sentences and spans per label, per source file."""
    from rich.table import Table

    from model.labels import SPAN_LABELS

    table = Table(title="corpus", title_justify="left")
    for column in ("source", "documents", "sentences", "event sentences", *SPAN_LABELS):
        table.add_column(column, justify="left" if column == "source" else "right")
    totals = [0] * (3 + len(SPAN_LABELS))
    for path in _corpus_files():
        documents = read_corpus([path], texts, say=_note)
        if not documents:
            continue
        sentences = [(d, s) for d in documents for s in d.sentences]
        row = [len(documents), len(sentences), sum(1 for d, s in sentences if d.event_types(s))]
        row += [sum(1 for d in documents for s in d.spans if s.label == label) for label in SPAN_LABELS]
        totals = [a + b for a, b in zip(totals, row)]
        table.add_row({"corpus": "seeds"}.get(path.stem, path.stem), *map(str, row))
    table.add_row("all", *map(str, totals), style="bold")
    console.print(table)


def _data_paths(config_data: tuple[str, ...], override: list[Path] | None) -> list[Path]:
    if override:
        return list(override)
    return [p if p.is_absolute() else PROJECT_ROOT / p for p in map(Path, config_data)]


PRECISION_HELP = "Inference precision: auto (bf16 where the CPU has it natively, else fp32, as the service), fp32, bf16 or int8."


def _load_config(path: Path):
    from training.config import TrainConfig

    return TrainConfig.from_yaml(path)


@app.command()
def train(
    config_file: Path = typer.Option(Path("configs/default.yaml"), "--config", help="Training config (YAML)."),
    data: list[Path] = typer.Option(None, "--data", help="Annotated JSONL files (default: the config's)."),
    output: Path = typer.Option(None, "--output", help="Also save the model to this directory."),
    holdout: int = typer.Option(0, "--holdout", help="Hold out this many incidents of real articles (never contrast documents) and report metrics on them."),
    store: bool = typer.Option(True, "--store/--no-store", help="Save to the BentoML model store."),
    promote_model: bool = typer.Option(True, "--promote/--no-promote", help="Make the stored model the served one."),
) -> None:
    """Fine-tune the tagger; save it to the BentoML model store as arabic-event-tagger and serve it."""
    from training.evaluation import predict_documents
    from training.folds import held_out_folds
    from training.metrics import score
    from training.reports import scores_table
    from training.store import inference_settings, promote, save_to_store
    from training.trainer import train as run_training
    from model.predictor import EventExtractor

    config = _load_config(config_file)
    documents = read_corpus(_data_paths(config.data, data), say=_note)
    held: list = []
    if holdout:
        groups = held_out_folds(documents, None, config.seed)  # one incident of real articles each
        if holdout > len(groups) or sum(map(len, groups[:holdout])) >= len(documents):
            raise UserError(f"--holdout {holdout}: the data has {len(groups)} incident(s) of real articles to hold out, "
                            "and some documents must be left to train on")
        held_ids = {i for fold in groups[:holdout] for i in fold}
        held = [d for i, d in enumerate(documents) if i in held_ids]
        documents = [d for i, d in enumerate(documents) if i not in held_ids]
    sentences = sum(len(d.sentences) for d in documents)
    console.print(f"training on {len(documents)} documents, {sentences} sentences; backbone {config.backbone}")
    result = run_training(config, documents)
    metrics = {}
    if held:
        extractor = EventExtractor(result.model, result.tokenizer, **inference_settings(config))
        metrics = score(held, predict_documents(extractor, held))
        console.print(scores_table(f"held-out: {', '.join(d.id for d in held)}", {"model": metrics}))
    console.print(
        f"done: {result.epochs} epochs, {result.steps} steps, {result.seconds:.0f} s, final loss {result.final_loss:.4f}"
    )
    if output:
        result.model.save_pretrained(output)
        result.tokenizer.save_pretrained(output)
        console.print(f"saved to {output}")
    if store:
        tag = save_to_store(result, config, documents, {"holdout": metrics} if metrics else None)
        if promote_model:
            promote(tag)
        console.print(f"stored as {tag}" + (" and promoted: it is the served model now" if promote_model else ""))


@app.command()
def crossval(
    config_file: Path = typer.Option(Path("configs/default.yaml"), "--config", help="Training config (YAML)."),
    data: list[Path] = typer.Option(None, "--data", help="Annotated JSONL files (default: the config's)."),
    folds: int = typer.Option(0, "--folds", help="Number of folds by document (0: leave one article out)."),
    test_on: list[Path] = typer.Option(
        None, "--test-on", help="Hold out only the documents of these files (one of the training files); the rest train in every fold."
    ),
    out: Path = typer.Option(Path("crossval.json"), "--out", help="Where to write per-fold and pooled metrics."),
) -> None:
    """Cross-validate by document, with the trivial baselines side by side; write JSON."""
    from training.crossval import crossvalidate
    from training.reports import scores_table

    config = _load_config(config_file)
    documents = read_corpus(_data_paths(config.data, data), say=_note)
    testable = None
    if test_on:
        testable = {d.id for d in read_corpus(test_on, say=_note)}
        if not any(d.id in testable for d in documents):
            raise UserError(f"no document of {', '.join(map(str, test_on))} is in the training data")
    if len(documents) < 2:
        raise UserError("cross-validation needs at least two documents and some left to train on")
    result = crossvalidate(config, documents, folds or None, err, testable)
    atomic_write_text(out, json.dumps(result, ensure_ascii=False, indent=1))
    pooled = result["pooled"]
    console.print(scores_table(f"pooled over {result['folds']} folds", {"model": pooled["model"], "baseline": pooled["baseline"]}))
    console.print(f"wrote {out}")


@app.command()
def ablation(
    config_file: Path = typer.Option(Path("configs/default.yaml"), "--config", help="Config of the settings with more than the seeds."),
    seeds_config: Path = typer.Option(Path("configs/seeds.yaml"), "--seeds-config", help="Config of the seeds-only setting."),
    folds: int = typer.Option(3, "--folds", help="Folds by document over the real texts."),
    out: Path = typer.Option(Path("reports/ablation.json"), "--out", help="Where to write the scores."),
) -> None:
    """Cross-validate seeds only, then + Syrian Archive, + Wikinews, + contrast set, + UN sentences; per source and pooled."""
    from rich.table import Table

    from training.ablation import SOURCE_FILES, ablate, cumulative_settings

    sources = {name: read_corpus([path], say=_note) for name, path in SOURCE_FILES.items()}
    missing = [name for name, docs in sources.items() if not docs]
    if missing:
        raise UserError(f"the ablation needs every source; missing: {', '.join(missing)} (run 'make corpus-texts')")
    settings = cumulative_settings(_load_config(seeds_config), _load_config(config_file))
    out.parent.mkdir(parents=True, exist_ok=True)

    def save(partial: dict) -> None:
        atomic_write_text(out, json.dumps(partial, ensure_ascii=False, indent=1))

    result = ablate(sources, settings, folds, config.seed, err, checkpoint=save)
    table = Table(title=f"ablation, {folds} folds by document", title_justify="left")
    for column in ("trained on", "tested on", "event F1", "trigger F1", "argument F1", "spans lenient F1", "attack sent. F1",
                   "events / negative doc", "baseline event F1", "baseline events / neg. doc"):
        table.add_column(column, justify="left" if column in ("trained on", "tested on") else "right")
    for label, setting in result["settings"].items():
        for name, s in setting["scores"].items():
            table.add_row(label, name, f"{s['events']['events']['f1']:.3f}", f"{s['spans']['triggers (micro)']['f1']:.3f}",
                          f"{s['spans']['arguments (micro)']['f1']:.3f}", f"{s['spans (lenient)']['micro avg']['f1']:.3f}",
                          f"{s['sentences']['attack']['f1']:.3f}", f"{s['negatives']['events_per_negative_document']:.2f}",
                          f"{s['baseline']['events']['events']['f1']:.3f}", f"{s['baseline']['negatives']['events_per_negative_document']:.2f}")
    console.print(table)
    console.print(f"wrote {out}")


@app.command()
def tag(
    articles: Path = typer.Argument(..., help="JSONL with id and text, or a folder of .txt files."),
    output: Path = typer.Option(..., "-o", "--output", help="JSONL file to write, one result per article."),
    model: str = typer.Option(None, "--model", help="Model tag in the BentoML store (default: the served model)."),
    batch: int = typer.Option(8, "--batch", help="Articles per model batch."),
    precision: str = typer.Option("auto", "--precision", help=PRECISION_HELP),
) -> None:
    """Tag articles with a stored model; writes the service's response object per article."""
    from rich.progress import Progress

    from model.predictor import checked_precision
    from training.store import load_extractor

    inputs = read_articles(articles)
    extractor = load_extractor(model, precision=checked_precision(precision, "--precision"))
    results = []
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("tagging", total=len(inputs))
        for begin in range(0, len(inputs), batch):
            chunk = inputs[begin : begin + batch]
            results += extractor.extract_many(chunk)
            progress.advance(task, len(chunk))
    write_jsonl(output, results)
    events = sum(len(r["events"]) for r in results)
    console.print(f"tagged {len(results)} articles ({events} events) with {extractor.tag} -> {output}")


def _ensure_served_model(config_file: Path) -> None:
    """Train and promote the default model when the BentoML store holds none yet."""
    import bentoml

    from serving.settings import load_settings
    from training.store import MODEL_NAME

    if load_settings().model_tag in ("served", f"{MODEL_NAME}:latest") and not bentoml.models.list(MODEL_NAME):
        console.print(f"no {MODEL_NAME} model in the BentoML store yet: training {config_file} first")
        train(config_file=config_file, data=None, output=None, holdout=0, store=True, promote_model=True)


@app.command()
def serve(
    config_file: Path = typer.Option(Path("configs/default.yaml"), "--config", help="Training config, if a model must be trained first."),
) -> None:
    """Serve the API and page (bentoml serve), training the default model first if the store has none."""
    import os

    from serving.settings import load_settings

    from training.store import resolve_tag

    _ensure_served_model(config_file)
    settings = load_settings()
    console.print(f"serving {resolve_tag(settings.model_tag)} on http://{settings.host}:{settings.port}")
    os.execvp(
        sys.executable,
        [sys.executable, "-m", "bentoml", "serve", "serving.service:EventService",
         "--host", settings.host, "--port", str(settings.port), "--working-dir", str(PROJECT_ROOT)],
    )


@app.command()
def bench(
    config_file: Path = typer.Option(Path("configs/default.yaml"), "--config", help="Training config, if a model must be trained first."),
) -> None:
    """Measure speed against this machine's limit; writes BENCHMARKS.md and BENCHMARKS.json."""
    from benchmarks.run import main as run_benchmark

    _ensure_served_model(config_file)
    run_benchmark()


@app.command()
def evaluate(
    data: Path = typer.Option(..., "--data", help="Annotated JSONL file, or a folder of them."),
    out: Path = typer.Option(..., "--out", help="Folder for report.json and report.html."),
    model: str = typer.Option(None, "--model", help="Model tag (default: the served model)."),
    predictions: Path = typer.Option(None, "--predictions", help="Score this JSONL of responses instead of running a model."),
    baseline: bool = typer.Option(False, "--baseline", help="Add the classical baseline, trained on the model's training documents minus the evaluated ones."),
    precision: str = typer.Option("auto", "--precision", help=PRECISION_HELP),
) -> None:
    """Score a model on annotated articles: report.json and a self-contained report.html."""
    from rich.progress import Progress

    from training.classical import ClassicalBaseline
    from training.evaluation import align_results, evaluate as run_evaluation, predict_documents
    from training.report_html import render
    from training.reports import scores_table

    files = sorted(data.glob("*.jsonl")) if data.is_dir() else [data]
    if not files:
        raise UserError(f"{data}: no .jsonl files in this folder")
    gold = read_documents(*files)
    if predictions is not None:
        tag = f"predictions from {predictions.name}"
        model_predictions = align_results(gold, [json.loads(l) for l in predictions.read_text(encoding="utf-8").splitlines() if l.strip()])
        training_files: list[Path] = []
    else:
        from model.predictor import checked_precision
        from training.store import get_stored, load_extractor

        stored = get_stored(model)
        tag = str(stored.tag)
        extractor = load_extractor(tag, precision=checked_precision(precision, "--precision"))
        with Progress(console=err, transient=True) as progress:
            task = progress.add_task("evaluating", total=len(gold))
            model_predictions = predict_documents(extractor, gold, lambda n: progress.advance(task, n), chunk=8)
        training_files = _data_paths(tuple(stored.info.metadata.get("config", {}).get("data", [])), None)
    baseline_predictions = None
    if baseline:
        if not training_files:
            raise UserError("--baseline needs a stored model (it trains on that model's training data)")
        from training.baseline_data import baseline_training_documents

        training, notes = baseline_training_documents(stored.info.metadata, read_corpus(training_files, say=_note), gold)
        for line in notes:
            _note(line)
        classical = ClassicalBaseline().fit(training)
        baseline_predictions = [classical.predict(d) for d in gold]
    report = run_evaluation(gold, model_predictions, tag, baseline_predictions)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / "report.json", json.dumps(report, ensure_ascii=False, indent=1))
    atomic_write_text(out / "report.html", render(report, gold, model_predictions))
    console.print(scores_table(f"{tag} on {len(gold)} documents", report["scores"]))
    events = {name: s["events"]["events"] for name, s in report["scores"].items()}
    console.print("event F1: " + ", ".join(f"{name} {row['f1']:.3f}" for name, row in events.items()))
    console.print(f"wrote {out / 'report.json'} and {out / 'report.html'}")


@app.command()
def retrain(
    add: list[Path] = typer.Option(..., "--add", help="New or corrected annotated articles (repeatable)."),
    source: ImportFormat = typer.Option(None, "--from", help="Read --add files as Label Studio or doccano exports."),
    config_file: Path = typer.Option(Path("configs/default.yaml"), "--config", help="Training config (YAML)."),
    eval_file: Path = typer.Option(None, "--eval", help="Articles to compare on instead of the evaluation split; no compared model is trained on them."),
    split_file: Path = typer.Option(PROJECT_ROOT / "annotations" / "gate-split.json", "--split", help="The recorded evaluation split (arabic-events gate-split)."),
    force: bool = typer.Option(False, "--force", help="Promote even if the candidate scores lower than the reference (never when both score zero)."),
    corpus: Path = typer.Option(PROJECT_ROOT / "annotations" / "corpus.jsonl", "--corpus", help="The corpus file to merge into."),
    history: Path = typer.Option(PROJECT_ROOT / "annotations" / "history.jsonl", "--history", help="Where replaced versions go."),
    allow_emptying: bool = typer.Option(
        False, "--allow-emptying",
        help="Let a version without spans replace an article that has some, and promote though the data lost spans."),
) -> None:
    """Merge new annotations; if a candidate is not worse than the served model's reference on the evaluation split (both trained without it), promote a model trained on everything."""
    from rich.table import Table

    from training.retrain import retrain as run_retrain

    config = _load_config(config_file)
    if source is not None:
        summaries = [(path, import_annotations(source.value, path)) for path in add]
        for path, summary in summaries:
            _note(f"{path}: {summary.describe()}")
        new = [d for _, summary in summaries for d in summary.documents]
    else:
        new = read_documents(*add)
    eval_documents = read_documents(eval_file) if eval_file else None
    outcome = run_retrain(new, config, _data_paths(config.data, None), corpus, history, split_file, eval_documents,
                          force, _note, allow_emptying)
    table = Table(title=f"on the {outcome.gate['split_documents']} articles of the evaluation split, by models trained "
                        f"without them (reference {outcome.reference_tag or '—: nothing served'})", title_justify="left")
    for column in ("metric", "reference", "candidate"):
        table.add_column(column, justify="left" if column == "metric" else "right")
    rows = [("event F1", lambda s: s["events"]["events"]["f1"]),
            ("arguments in matched events F1", lambda s: s["events"]["arguments in matched events"]["f1"]),
            ("trigger span F1", lambda s: s["spans"]["triggers (micro)"]["f1"]),
            ("argument span F1", lambda s: s["spans"]["arguments (micro)"]["f1"]),
            ("sentence F1 (micro)", lambda s: s["sentences"]["micro avg"]["f1"])]
    for name, pick in rows:
        reference = f"{pick(outcome.reference_scores):.3f}" if outcome.reference_scores else "—"
        table.add_row(name, reference, f"{pick(outcome.candidate_scores):.3f}")
    console.print(table)
    if outcome.promoted_tag:
        console.print(f"PROMOTED {outcome.promoted_tag}: it is the served model now ({outcome.reason}); restart the service "
                      "to use it. It was trained on all the data, the evaluation split included; the numbers above are "
                      f"those of the candidate {outcome.candidate_tag}, trained without the split, and are stored with "
                      "both under 'gate'")
    else:
        console.print(f"NOT PROMOTED: {outcome.candidate_tag} is stored as a candidate; {outcome.served_before} stays served ({outcome.reason})")


@app.command("gate-split")
def gate_split(
    config_file: Path = typer.Option(Path("configs/default.yaml"), "--config", help="The config whose data the split is drawn from."),
    output: Path = typer.Option(PROJECT_ROOT / "annotations" / "gate-split.json", "-o", "--output", help="Where the split is recorded."),
    replace: bool = typer.Option(False, "--replace", help="Replace a recorded split that differs (the gate's numbers change meaning)."),
) -> None:
    """Draw the promotion gate's evaluation split once: a seeded fifth of the real articles, whole incidents."""
    from training.gate_split import make_gate_split, write_gate_split

    config = _load_config(config_file)
    left_out: list[str] = []
    documents = read_corpus(_data_paths(config.data, None), say=left_out.append)
    if left_out:
        raise UserError(f"{left_out[0]}: the split is drawn from all the config's data; "
                        "run 'arabic-events corpus fetch' first")
    console.print(write_gate_split(output, make_gate_split(documents, config.seed, config.data), replace))


def main() -> None:
    """Run the CLI, turning user errors into one line and a non-zero exit status."""
    from datasets.utils import logging as datasets_logging
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    datasets_logging.disable_progress_bar()
    try:
        code = app(standalone_mode=False)
    except AnnotationProblems as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        err.print(f"error: {len(exc.problems)} problem(s); nothing was written")
        sys.exit(1)
    except UserError as exc:
        err.print(f"error: {exc}", highlight=False, markup=False)
        sys.exit(1)
    except click.exceptions.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        err.print("interrupted")
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)
