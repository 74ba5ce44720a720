"""Check that every pin in constraints.txt installs on every Python the project supports.

The pins once required Python >= 3.11.5 (soupsieve 4.x) while the README promised 3.11+, so Debian 12's
own python3 (3.11.2) could not install the app. This check fails if any pinned release's Requires-Python
excludes the lowest supported Python (the floor of pyproject's `requires-python`) or Debian 12's 3.11.2.

    python scripts/check_pins.py            # the installed distributions' metadata (offline)
    python scripts/check_pins.py --pypi     # every pin, as published on PyPI (network)

Needs `packaging` (a pin itself, so any project venv has it).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path

from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
DEBIAN_12_PYTHON = Version("3.11.2")
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)")


def pins(path: Path = ROOT / "constraints.txt") -> dict[str, str]:
    """Canonical name → pinned version; every non-comment line must be an exact pin."""
    out: dict[str, str] = {}
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        m = _PIN.match(line)
        if m is None:
            raise ValueError(f"{path.name}:{n}: not an exact pin: {raw!r}")
        out[canonicalize_name(m.group(1))] = m.group(2)
    return out


def supported_pythons(pyproject: Path = ROOT / "pyproject.toml") -> list[Version]:
    """The lowest Python pyproject admits (from its `>=` bound) and Debian 12's."""
    spec = SpecifierSet(tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["requires-python"])
    floors = [Version(s.version) for s in spec if s.operator == ">="]
    if not floors:
        raise ValueError("pyproject.toml: requires-python has no lower bound")
    return sorted({max(floors), DEBIAN_12_PYTHON})


def excluded(requires_python: str | None, pythons: list[Version]) -> list[Version]:
    if not requires_python:
        return []
    spec = SpecifierSet(requires_python)
    return [v for v in pythons if not spec.contains(v, prereleases=True)]


def problems_installed(pinned: dict[str, str], pythons: list[Version]) -> tuple[list[str], int]:
    """Problems among the pinned distributions installed here, and how many were checked."""
    problems, checked = [], 0
    for dist in metadata.distributions():
        name = canonicalize_name(dist.metadata["Name"])
        if pinned.get(name) != dist.version:
            continue
        checked += 1
        bad = excluded(dist.metadata.get("Requires-Python"), pythons)
        if bad:
            problems.append(f"{name}=={dist.version}: Requires-Python {dist.metadata['Requires-Python']} "
                            f"excludes {', '.join(map(str, bad))}")
    return problems, checked


def _pypi_files(name: str, version: str) -> list[dict]:
    with urllib.request.urlopen(f"https://pypi.org/pypi/{name}/json", timeout=60) as r:
        releases = json.load(r)["releases"]
    if version in releases:
        return releases[version]
    wanted = Version(version)  # the pin may be spelt differently, e.g. 1.0 for 1.0.0
    for v, files in releases.items():
        try:
            if Version(v) == wanted:
                return files
        except InvalidVersion:  # legacy versions on PyPI
            continue
    return []


def problems_pypi(pinned: dict[str, str], pythons: list[Version]) -> list[str]:
    def one(item: tuple[str, str]) -> str | None:
        name, version = item
        try:
            files = [f for f in _pypi_files(name, version) if not f.get("yanked")]
        except OSError as exc:
            return f"{name}=={version}: not on PyPI ({exc})"
        if not files:
            return f"{name}=={version}: no files (or all yanked) on PyPI"
        # A release is installable if some file admits every supported Python.
        if all(excluded(f.get("requires_python"), pythons) for f in files):
            rp = sorted({f.get("requires_python") or "" for f in files})
            return f"{name}=={version}: Requires-Python {' / '.join(rp)} excludes {', '.join(map(str, pythons))}"
        return None

    with ThreadPoolExecutor(8) as pool:
        return [p for p in pool.map(one, sorted(pinned.items())) if p]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pypi", action="store_true", help="check every pin on PyPI instead of the installed ones")
    args = ap.parse_args(argv)
    pinned = pins()
    pythons = supported_pythons()
    if args.pypi:
        problems, checked = problems_pypi(pinned, pythons), len(pinned)
    else:
        problems, checked = problems_installed(pinned, pythons)
    for p in problems:
        print(f"错误：{p}", file=sys.stderr)
    if problems:
        print("constraints.txt 中有版本不支持的 Python；请运行 scripts/lock.sh 重新生成。", file=sys.stderr)
        return 1
    print(f"{checked} pins of {len(pinned)} checked: all admit Python {', '.join(map(str, pythons))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
