"""YAML data files the business edits: errors that point at a line, edits picked up live.

The catalog and the business profile share this: a strict frozen model base
(unknown fields are typos, not silently ignored), ``file:line: field: message``
problems, and a holder that re-reads the file when it changes so an owner's
edit reaches guests without a restart, while a broken edit keeps the last
good version.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Generic, Optional, Sequence, Tuple, Type, TypeVar, Union

from pydantic import BaseModel
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

logger = logging.getLogger(__name__)

PathPart = Union[str, int]
T = TypeVar("T")


class StrictModel(BaseModel):
    """Base of data-file models: frozen, no unknown fields, no empty strings."""

    class Config:
        extra = "forbid"
        allow_mutation = False
        anystr_strip_whitespace = True
        min_anystr_length = 1


class DataFileError(ValueError):
    """A data file is unreadable or invalid; ``problems`` lists every issue found."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class YamlSource:
    """A parsed YAML document that remembers where each value came from."""

    path: Path
    root: Any

    @classmethod
    def read(cls, path: Path) -> "YamlSource":
        """Parse ``path``; an unreadable file raises :class:`DataFileError`."""
        try:
            text = Path(path).read_text(encoding="utf-8")
            root = YAML(typ="rt").load(text)
        except (OSError, UnicodeDecodeError, YAMLError) as error:
            raise DataFileError([f"{path}: cannot read: {error}"]) from error
        return cls(Path(path), root)

    @classmethod
    def read_mapping(
        cls, path: Path, error: Type[DataFileError] = DataFileError
    ) -> Tuple["YamlSource", Dict[str, Any]]:
        """Parse ``path`` whose top level must be a mapping: the source and its plain data.

        Problems raise ``error`` (the caller's subclass of :class:`DataFileError`).
        """
        try:
            source = cls.read(path)
        except DataFileError as unreadable:
            raise error(unreadable.problems) from unreadable
        data = source.plain()
        if not isinstance(data, dict):
            raise error([source.problem([], "expected a mapping at the top")])
        return source, data

    def plain(self) -> Any:
        """The document as plain dicts and lists (what validators consume)."""
        return _plain(self.root)

    def line_of(self, location: Sequence[PathPart]) -> Optional[int]:
        """1-based line of the deepest part of ``location`` present in the file."""
        node, line = self.root, None
        for part in location:
            found = _position(node, part)
            if found is None:
                break
            line = found + 1
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                break
        return line

    def problem(self, location: Sequence[PathPart], message: str) -> str:
        """Format ``file:line: dotted.location: message``."""
        line = self.line_of(location)
        where = f"{self.path}:{line}" if line else str(self.path)
        dotted = _dotted(location)
        return f"{where}: {dotted}: {message}" if dotted else f"{where}: {message}"


def _position(node: Any, part: PathPart) -> Optional[int]:
    try:
        if isinstance(node, CommentedMap) and part in node:
            return node.lc.key(part)[0]
        if isinstance(node, CommentedSeq) and isinstance(part, int):
            return node.lc.item(part)[0]
    except (KeyError, IndexError, TypeError):
        return None
    return None


def _dotted(location: Sequence[PathPart]) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(key): _plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_plain(value) for value in node]
    return node


class ReloadingFile(Generic[T]):
    """A data file, re-read when it changes; a broken edit keeps the last good value."""

    def __init__(self, path: Path, load: Callable[[Path], T], what: str) -> None:
        self.path = Path(path)
        self._load = load
        self._what = what
        self._lock = threading.Lock()
        self._stamp = self._stat()
        self._value = load(self.path)
        self.last_error: Optional[DataFileError] = None

    def get(self) -> T:
        """The current value (reloaded if the file changed and is valid)."""
        stamp = self._stat()
        if stamp is None or stamp == self._stamp:
            return self._value
        with self._lock:
            if stamp != self._stamp:
                self._stamp = stamp
                try:
                    self._value = self._load(self.path)
                    self.last_error = None
                    logger.info("%s reloaded from %s", self._what, self.path)
                except DataFileError as error:
                    self.last_error = error
                    logger.error(
                        "%s edit refused, keeping the previous one:\n%s", self._what, error
                    )
        return self._value

    def _stat(self) -> Optional[Tuple[int, int]]:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size
