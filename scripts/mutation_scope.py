"""Prepare a scoped mutation run in a scratch copy of the work tree (issue 18).

    python scripts/mutation_scope.py DEST "store/*" -- tests/test_store_rules.py tests/test_revision.py

Copies the files git knows (tracked and untracked, not ignored) to DEST and rewrites its
`[tool.mutmut]` so that only the given modules are mutated (`only_mutate`, glob patterns) and only
the given test files are run. A whole-tree run mutates every configured package and first runs the
whole unit selection twice (clean run + coverage stats); a scoped run costs only what it measures.
The tree itself is left untouched (the scratch copy holds `mutants/` and the results)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return json.dumps(v, ensure_ascii=False)


def main(argv: list[str]) -> None:
    dest, rest = Path(argv[0]), argv[1:]
    sep = rest.index("--")
    only, tests = rest[:sep], rest[sep + 1:]
    root = Path(__file__).resolve().parent.parent
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=root, check=True,
                           capture_output=True, text=True).stdout.splitlines()
    if (dest / "mutants").exists():
        shutil.rmtree(dest / "mutants")
    for f in files:
        src = root / f
        if src.is_file():
            (dest / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / f)
    pyproject = dest / "pyproject.toml"
    text = pyproject.read_text("utf-8")
    conf = tomllib.loads(text)["tool"]["mutmut"]
    conf["only_mutate"] = only
    conf["pytest_add_cli_args_test_selection"] = [*tests, "-m", "not browser"]
    section = "[tool.mutmut]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in conf.items()) + "\n"
    text = re.sub(r"^\[tool\.mutmut\]\n.*?(?=^\[|\Z)", lambda _: section, text, flags=re.S | re.M)
    pyproject.write_text(text, "utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
