#!/usr/bin/env bash
# Create .venv and install the project with pinned versions (constraints.txt), then
# fetch the front-end assets from the npm registry (pinned, sha512-checked; no Node.js needed).
# First checks what a fresh machine may lack (Python >= 3.11, the venv module) and says in
# Chinese what to install. Re-running is cheap: nothing is reinstalled while pyproject.toml and
# constraints.txt are unchanged and the requested extras are already installed.
# Usage: scripts/setup.sh [extras]   e.g. scripts/setup.sh dev      (PYTHON=... picks the interpreter)
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python="${PYTHON:-python3}"

fail() { echo "错误：$*" >&2; exit 1; }

venv_ok() { [ -x .venv/bin/python ] && .venv/bin/python -m pip --version > /dev/null 2>&1; }

if ! venv_ok; then
  command -v "$python" > /dev/null 2>&1 \
    || fail "未找到 Python（$python）。请先安装：apt-get install python3 python3-venv"
  version="$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null)" \
    || fail "无法运行 $python。请先安装：apt-get install python3 python3-venv"
  IFS=. read -r major minor _ <<< "$version"
  if [ "$major" -lt 3 ] || { [ "$major" -eq 3 ] && [ "$minor" -lt 11 ]; }; then
    fail "需要 Python 3.11 或更高版本（当前：$python $version）。可用 PYTHON=/path/to/python3.11 指定解释器。"
  fi
  "$python" -c 'import ensurepip, venv' > /dev/null 2>&1 \
    || fail "Python $version 缺少 venv/ensurepip 模块。请先安装 python3-venv：apt-get install python3-venv"
  rm -rf .venv
  if ! "$python" -m venv .venv; then
    rm -rf .venv
    fail "创建虚拟环境 .venv 失败（$python -m venv）。Debian/Ubuntu 请安装 python3-venv：apt-get install python3-venv"
  fi
fi

# The stamp records the inputs' hash and the extras installed with them; changed inputs reinstall
# everything installed before, a new extra adds to it (start.sh after test.sh installs nothing).
stamp=".venv/.onemap-installed"
hash="$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)"
have_hash="" have_extras=""
if [ -f "$stamp" ]; then read -r have_hash have_extras < "$stamp" || true; fi
want="$(echo "${have_extras},${extras}" | tr ',' '\n' | sed '/^$/d' | sort -u | paste -sd, -)"
if [ "$have_hash" != "$hash" ] || [ "$want" != "$have_extras" ]; then
  echo "正在安装依赖（固定版本，见 constraints.txt）…" >&2
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip \
    || fail "无法从 PyPI 安装 pip；请检查网络连接（或设置 HTTPS_PROXY / pip 镜像）"
  spec="."
  [ -n "$want" ] && spec=".[${want}]"
  .venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e "$spec" \
    || fail "依赖安装失败（见上方 pip 的输出）；请检查网络连接（或设置 HTTPS_PROXY / pip 镜像）"
  echo "$hash $want" > "$stamp"
fi
.venv/bin/python -m onemap.assets
