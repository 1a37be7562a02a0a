"""What a sweep needs to know of a chapter before it runs: its declared rules, the literal defaults
of its parameters cell, and the hash of its inputs (a finished point with another hash is stale)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from overparam.book.chapters import chapter_parameters, chapter_rules
from overparam.book.inputs import input_hash


@dataclass(frozen=True)
class Chapter:
    """A chapter's source, its ``PARAMETERS`` (name -> rule), its default parameters and the hash of its inputs."""

    source: Path
    rules: dict
    defaults: dict
    input_hash: str


def load_chapter(source: str | Path) -> Chapter:
    """The chapter at ``source`` (a MyST ``.md`` or an ``.ipynb``); its rules cell's imports and
    ``PARAMETERS`` statement are the only code run (overparam.book.chapters.chapter_rules)."""
    source = Path(source).resolve()
    if not source.is_file():
        raise FileNotFoundError(f"no chapter at {source}")
    rules = chapter_rules(source)
    if not rules:
        raise ValueError(f"{source.name} declares no parameter rules (a cell assigning PARAMETERS): it cannot be swept")
    return Chapter(source, rules, chapter_parameters(source), input_hash(source))
