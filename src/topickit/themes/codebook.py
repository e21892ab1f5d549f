"""Theme codebooks: named themes with definitions and seed terms, read from TOML."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from topickit.exceptions import ConfigError

__all__ = ["Codebook", "Theme", "load_codebook"]


@dataclass(frozen=True)
class Theme:
    """One theme of a codebook.

    Attributes
    ----------
    name : str
        Short identifier used in tables and column names (``theme_<name>``).
    definition : str
        What belongs to the theme, in words.
    seed_terms : tuple of str
        Words or multi-word expressions typical of the theme, written plainly
        ("air strike", "killed"); they are lemmatised before matching.
    """

    name: str
    definition: str
    seed_terms: tuple[str, ...]


@dataclass(frozen=True)
class Codebook:
    """An ordered set of themes plus the annotation rules for hard cases.

    Attributes
    ----------
    name : str
    version : str
    themes : tuple of Theme
    rules : tuple of str
        How hard cases were decided when annotating.
    """

    name: str
    version: str
    themes: tuple[Theme, ...]
    rules: tuple[str, ...] = field(default_factory=tuple)

    @property
    def names(self) -> list[str]:
        """Theme names in codebook order."""
        return [t.name for t in self.themes]

    def theme(self, name: str) -> Theme:
        """The theme called ``name``."""
        for t in self.themes:
            if t.name == name:
                return t
        raise KeyError(f"no theme {name!r} in codebook {self.name!r}")

    def to_dict(self) -> dict:
        """Plain data (for manifests and run folders)."""
        return {
            "name": self.name,
            "version": self.version,
            "themes": [
                {"name": t.name, "definition": t.definition, "seed_terms": list(t.seed_terms)}
                for t in self.themes
            ],
            "rules": list(self.rules),
        }

    @classmethod
    def from_dict(cls, data: dict, *, source: str = "codebook") -> Codebook:
        """Validate plain data into a codebook.

        Raises
        ------
        ConfigError
            Naming the source and the key at fault.
        """
        if not isinstance(data, dict):
            raise ConfigError(f"{source}: expected a table")
        unknown = set(data) - {"name", "version", "themes", "rules"}
        if unknown:
            raise ConfigError(f"{source}: {sorted(unknown)[0]}: unknown key")
        themes_data = data.get("themes")
        if not isinstance(themes_data, list) or len(themes_data) < 2:
            raise ConfigError(f"{source}: themes: at least two [[themes]] are needed")
        themes = []
        for i, item in enumerate(themes_data):
            where = f"{source}: themes[{i}]"
            if not isinstance(item, dict):
                raise ConfigError(f"{where}: expected a table")
            extra = set(item) - {"name", "definition", "seed_terms"}
            if extra:
                raise ConfigError(f"{where}.{sorted(extra)[0]}: unknown key")
            name = item.get("name")
            if not isinstance(name, str) or not name.isidentifier():
                raise ConfigError(f"{where}.name: must be a word of letters, digits or _")
            terms = item.get("seed_terms", [])
            if not isinstance(terms, list) or not all(isinstance(t, str) and t for t in terms):
                raise ConfigError(f"{where}.seed_terms: must be a list of non-empty strings")
            if not terms:
                raise ConfigError(f"{where}.seed_terms: needs at least one term")
            themes.append(Theme(name, str(item.get("definition", "")), tuple(terms)))
        names = [t.name for t in themes]
        if len(set(names)) != len(names):
            raise ConfigError(f"{source}: themes: duplicate theme names")
        rules = data.get("rules", [])
        if not isinstance(rules, list) or not all(isinstance(r, str) for r in rules):
            raise ConfigError(f"{source}: rules: must be a list of strings")
        return cls(
            str(data.get("name", "codebook")),
            str(data.get("version", "1")),
            tuple(themes),
            tuple(rules),
        )


def load_codebook(path: str | Path) -> Codebook:
    """Read a codebook TOML file.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    Codebook

    Raises
    ------
    ConfigError
        When the file is missing, not TOML, or not a valid codebook.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"codebook {path} does not exist")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from None
    return Codebook.from_dict(data, source=str(path))
