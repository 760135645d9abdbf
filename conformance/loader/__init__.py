"""Case files -> ``Case`` objects and one-line ``CaseError``s (SPEC.md, "Case files").

Stable API (the runner, the oracle command, the report and the fuzzer use it):

- ``load_paths(paths) -> LoadResult``: files and directories (searched recursively for
  ``*.yaml`` and ``*.yml``, hidden folders skipped, each folder's files sorted); ids must
  be unique across all of them (a repeat is reported where it occurs second).
- ``load_file(path) -> LoadResult``: one file; ids unique within it.
- ``LoadResult``: ``cases`` (``Case`` objects in file order, sweeps expanded), ``errors``
  (``CaseError``, by file then line), ``files`` (the paths read), ``ok``.
- ``CaseError``: ``path, line, case_id, field, message, value`` (``NO_VALUE`` when there is
  nothing to show) and ``case_number`` (for an entry without a usable id); ``str()`` is the
  SPEC's line ``path:line: case '<id>': <field>: <what is wrong> (got <value>)``, or
  ``path:line: <what is wrong>`` for a problem of the whole file.
- ``find_case_files``, ``SCHEMA_PATH``, ``MAX_TENSOR_ELEMENTS``, ``MAX_SWEEP_CASES``.

``Case.file`` is the path as reached from the given one (``cases/seeds/d2l.yaml``),
``Case.line`` the line of the case's ``- id:`` entry, ``Case.spec`` the case's mapping
after defaults and sweep as plain dicts and lists (its ``id`` is the expanded id, e.g.
``conv-s[stride=2]``, which a case file could not hold: writers of YAML make their own).

Loading never raises for what a file holds: every problem becomes a ``CaseError`` and the
other cases and files still load. docs/CASES.md is the guide to writing cases.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from .build import build_file
from .errors import NO_VALUE, CaseError, LoadResult
from .expand import MAX_SWEEP_CASES
from .schema import SCHEMA_PATH
from .tensors import MAX_TENSOR_ELEMENTS
from .yaml_source import FileProblem, read_yaml

__all__ = [
    "CaseError",
    "LoadResult",
    "MAX_SWEEP_CASES",
    "MAX_TENSOR_ELEMENTS",
    "NO_VALUE",
    "SCHEMA_PATH",
    "find_case_files",
    "load_file",
    "load_paths",
]

CASE_FILE_SUFFIXES = (".yaml", ".yml")


def load_paths(paths: Iterable[str | os.PathLike]) -> LoadResult:
    """Every case under ``paths``, with ids unique across the whole set."""
    if isinstance(paths, (str, os.PathLike)):  # one path, not the characters of one
        paths = [paths]
    result = LoadResult()
    files, missing = find_case_files(paths)
    result.errors.extend(CaseError(path.as_posix(), 0, "no such file or directory") for path in missing)
    registry = _IdRegistry()
    for path in files:
        result.extend(_load(path, registry))
    return result


def load_file(path: str | os.PathLike) -> LoadResult:
    """The cases of one file, with ids unique within it."""
    return _load(Path(path), _IdRegistry())


def find_case_files(paths: Iterable[str | os.PathLike]) -> tuple[list[Path], list[Path]]:
    """(case files, paths that do not exist): files as given, folders searched recursively."""
    files: list[Path] = []
    missing: list[Path] = []
    seen: set[Path] = set()
    for given in map(Path, paths):
        if given.is_dir():
            found = sorted(_files_under(given), key=lambda p: p.as_posix())
        elif given.exists():
            found = [given]
        else:
            missing.append(given)
            continue
        for path in found:
            if path.resolve() not in seen:
                seen.add(path.resolve())
                files.append(path)
    return files, missing


def _files_under(folder: Path) -> Iterable[Path]:
    for parent, folders, names in os.walk(folder):
        folders[:] = [name for name in folders if not name.startswith(".")]
        for name in names:
            if name.endswith(CASE_FILE_SUFFIXES) and not name.startswith("."):
                yield Path(parent) / name


def _load(path: Path, registry: "_IdRegistry") -> LoadResult:
    shown = path.as_posix()

    def file_error(line: int, message: str) -> LoadResult:
        return LoadResult(errors=[CaseError(shown, line, message)], files=[shown])

    try:
        text = path.read_text(encoding="utf-8")
        data, found_problem = read_yaml(text)
        result = build_file(data, shown, found_problem)
    except UnicodeDecodeError as err:
        return file_error(0, f"is not UTF-8 text ({err.reason} at byte {err.start})")
    except OSError as err:
        return file_error(0, f"cannot be read: {err.strerror}")
    except FileProblem as problem:
        return file_error(problem.line, problem.message)
    except RecursionError:  # lists in lists hundreds deep: no case is like that
        return file_error(0, "nests lists or mappings too deeply to read")
    _refuse_repeated_ids(result, registry)
    result.errors.sort(key=lambda error: error.line)
    return result


class _IdRegistry:
    """Where each entry id was first defined, and every case id kept so far."""

    def __init__(self) -> None:
        self.entries: dict[str, tuple[str, int]] = {}
        self.ids: set[str] = set()


def _refuse_repeated_ids(result: LoadResult, registry: _IdRegistry) -> None:
    """Drop every case whose id, or whose entry's id before a sweep, was seen before.

    The entry id (``conv`` of ``conv[stride=2]``) is reserved by the whole sweep, so a
    repeated entry is reported once, at its own ``- id:`` line.
    """
    kept, reported = [], set()
    for case in result.cases:
        entry_id = case.id.partition("[")[0]  # a file's ids cannot hold '[': only a sweep adds it
        here = (case.file, case.line)
        first = registry.entries.setdefault(entry_id, here)
        if first != here or case.id in registry.ids:
            if here not in reported:
                reported.add(here)
                result.errors.append(
                    CaseError(case.file, case.line, f"is already used at {first[0]}:{first[1]}", entry_id, "id")
                )
            continue
        registry.ids.add(case.id)
        kept.append(case)
    result.cases[:] = kept
