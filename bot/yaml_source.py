"""YAML files whose errors can point at a line: the catalog and other data files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Sequence, Union

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

PathPart = Union[str, int]


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
