"""``pip install .`` into a fresh virtual environment outside the checkout gives a working ``kaimen``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def test_installed_package_ships_templates_migrations_and_translations(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [
        str(venv / "bin" / "python"),
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ]
    subprocess.run([*pip, str(ROOT)], check=True, cwd=tmp_path, timeout=600)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("KAIMEN_", "VIRTUAL_ENV", "PYTHONPATH"))
    }
    env.update(
        KAIMEN_INSTANCE_PATH=str(tmp_path / "instance"), PATH=f"{venv / 'bin'}:{env['PATH']}"
    )
    kaimen = str(venv / "bin" / "kaimen")

    def run(*args: str) -> str:
        result = subprocess.run(
            [kaimen, *args], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    demo = run("demo")
    assert "admin@" in demo and "password:" in demo
    probe = (
        "from portal import create_app\n"
        "import portal, pathlib\n"
        "assert 'site-packages' in portal.__file__, portal.__file__\n"
        "client = create_app().test_client()\n"
        "page = client.get('/account/login').get_data(as_text=True)\n"
        "assert '登录' in page, page[:500]\n"
        "assert client.get('/static/kaimen.css').status_code == 200\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-c", probe],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == "ok", result.stdout + result.stderr
