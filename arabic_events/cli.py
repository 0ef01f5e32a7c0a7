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

from model.corpus_io import atomic_write_text, read_documents, write_documents, write_jsonl
from model.errors import AnnotationProblems, UserError
from model.interchange import IMPORTERS, export_doccano, export_label_studio
from model.validation import validate_files

app = typer.Typer(
    help="Find attacks and retaliations, their triggers and arguments, in Arabic news.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console(soft_wrap=True)
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
) -> None:
    """Convert a Label Studio JSON export or a doccano JSONL export to the corpus format."""
    documents = IMPORTERS[source.value](export_file)
    write_documents(output, documents)
    spans = sum(len(d.spans) for d in documents)
    console.print(f"wrote {len(documents)} documents, {spans} spans to {output}")


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


def main() -> None:
    """Run the CLI, turning user errors into one line and a non-zero exit status."""
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
