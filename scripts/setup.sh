#!/usr/bin/env bash
# Create .venv with Python 3.10 and install the pinned dependencies.
# Rasa 3.6 supports Python 3.8-3.10 only; on 3.11 pip silently falls back to
# rasa 1.10, so we refuse anything but 3.10 with a clear message.
set -euo pipefail
cd "$(dirname "$0")/.."

want="$(cat .python-version)"          # e.g. 3.10.13
want_minor="${want%.*}"                 # 3.10

find_python() {
  local candidate
  for candidate in \
      "${PYTHON:-}" \
      "$(command -v "python${want_minor}" 2>/dev/null || true)" \
      "$(pyenv root 2>/dev/null)/versions/${want}/bin/python" \
      "${HOME}/.pyenv/versions/${want}/bin/python" \
      "$(command -v python3 2>/dev/null || true)"; do
    [ -n "$candidate" ] && [ -x "$candidate" ] || continue
    if [ "$("$candidate" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = "$want_minor" ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if ! python_bin="$(find_python)"; then
  cat >&2 <<MSG

  Python ${want_minor} was not found.

  Hiểu Ý runs on Rasa 3.6, which needs Python ${want_minor} (it does not install
  on 3.11+). Install Python ${want} and run the command again, e.g.:

      pyenv install ${want}        # then: pyenv local ${want}

  or set PYTHON=/path/to/python${want_minor}.

MSG
  exit 1
fi

echo "==> Using $python_bin ($("$python_bin" --version))"
started=$(date +%s)
if [ ! -x .venv/bin/python ] || [ "$(.venv/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')" != "$want_minor" ]; then
  rm -rf .venv
  "$python_bin" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade "pip==24.0"
.venv/bin/python -m pip install --quiet -r requirements-dev.txt -c constraints.txt
.venv/bin/python -m pip install --quiet --no-deps -e .
.venv/bin/python -m pip check
touch .venv/.installed
echo "==> Dependencies installed in $(( $(date +%s) - started ))s"
