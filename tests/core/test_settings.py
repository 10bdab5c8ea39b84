"""Settings as an operator meets them: production passes Django's deploy checks, and the
embedded default creates its data folder and keeps a generated SECRET_KEY there."""

import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
THESABAN = ROOT / ".venv" / "bin" / "thesaban"
PYTHON = sys.executable


def clean_env(**overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("THESABAN_", "DJANGO_", "SECURE_"))
        and key
        not in {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "DEBUG", "NATIONAL_ID_HASH_KEY"}
    }
    env.update(overrides)
    return env


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=120)


def print_secret_key(env: dict[str, str], cwd: Path) -> str:
    result = run(
        [
            PYTHON,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)",
        ],
        env,
        cwd,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture
def thesaban_command():
    if not THESABAN.exists():
        pytest.skip(f"{THESABAN} is not installed (pip install -e .)")
    return str(THESABAN)


def test_production_passes_check_deploy_without_warnings(tmp_path, thesaban_command):
    env = clean_env(
        DJANGO_SETTINGS_MODULE="thesaban.config.production",
        SECRET_KEY=secrets.token_urlsafe(48)[:64].ljust(64, "x"),
        ALLOWED_HOSTS="example.org",
        THESABAN_DATA_DIR=str(tmp_path / "data"),
    )
    assert len(env["SECRET_KEY"]) == 64
    result = run([thesaban_command, "check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output
    assert "ERRORS" not in output
    assert "no issues" in output


def test_check_deploy_does_catch_a_weak_secret_key(tmp_path, thesaban_command):
    # Shows that the check above can fail: a short key is a deploy warning.
    env = clean_env(
        DJANGO_SETTINGS_MODULE="thesaban.config.production",
        SECRET_KEY="too-short",
        ALLOWED_HOSTS="example.org",
        THESABAN_DATA_DIR=str(tmp_path / "data"),
    )
    result = run([thesaban_command, "check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_production_refuses_to_start_without_secret_key(tmp_path, thesaban_command):
    env = clean_env(
        DJANGO_SETTINGS_MODULE="thesaban.config.production",
        ALLOWED_HOSTS="example.org",
        THESABAN_DATA_DIR=str(tmp_path / "data"),
    )
    result = run([thesaban_command, "check"], env, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_data_dir_is_created_on_first_run(tmp_path, thesaban_command):
    data = tmp_path / "not" / "yet" / "there"
    env = clean_env(DJANGO_SETTINGS_MODULE="thesaban.config.base", THESABAN_DATA_DIR=str(data))
    result = run([thesaban_command, "check"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert data.is_dir()
    assert (data / "media").is_dir()


def test_default_data_dir_is_var_in_the_working_directory(tmp_path):
    env = clean_env(DJANGO_SETTINGS_MODULE="thesaban.config.base")
    key = print_secret_key(env, tmp_path)
    assert (tmp_path / "var" / "secret_key").read_text().strip() == key


def test_secret_key_is_generated_once_and_kept_in_the_data_dir(tmp_path):
    data = tmp_path / "data"
    env = clean_env(DJANGO_SETTINGS_MODULE="thesaban.config.base", THESABAN_DATA_DIR=str(data))
    first = print_secret_key(env, tmp_path)
    key_file = data / "secret_key"
    assert key_file.read_text().strip() == first
    assert len(first) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600  # readable by the service user only
    assert print_secret_key(env, tmp_path) == first  # the next start reads the same key
    other = clean_env(
        DJANGO_SETTINGS_MODULE="thesaban.config.base", THESABAN_DATA_DIR=str(tmp_path / "other")
    )
    assert print_secret_key(other, tmp_path) != first  # each install gets its own


def test_secret_key_from_the_environment_wins_and_writes_no_file(tmp_path):
    data = tmp_path / "data"
    env = clean_env(
        DJANGO_SETTINGS_MODULE="thesaban.config.base",
        THESABAN_DATA_DIR=str(data),
        SECRET_KEY="from-the-env-" * 5,
    )
    assert print_secret_key(env, tmp_path) == "from-the-env-" * 5
    assert not (data / "secret_key").exists()
