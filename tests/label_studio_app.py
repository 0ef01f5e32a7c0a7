"""A real Label Studio for the end-to-end test: installed once into a virtual environment of its own
(it pins Django and dozens of packages the project must not share), started on a free loopback
port with SQLite in a temporary folder, no browser, no analytics, one user with a known API token;
stopped by its process id."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.conftest import free_port, stop_group, wait_until_up

VERSION = "1.23.2"  # the newest release on PyPI that installs on Python 3.11 here
USER, PASSWORD, TOKEN = "annotator@example.com", "label-studio-e2e-password", "e2e0123456789abcdef0123456789abcdef0123"


def environment_folder() -> Path:
    cache = Path(os.environ.get("ARABIC_EVENTS_CACHE") or Path.home() / ".cache" / "arabic-events")
    return cache / f"label-studio-{VERSION}"


def installed_label_studio(timeout: float = 2400) -> Path:
    """The ``label-studio`` executable of the cached environment, installing it first if needed.

    The environment counts as installed only once pip has finished (a marker file), so an
    interrupted install is redone; a lock keeps two test runs from installing at once.
    """
    folder = environment_folder()
    folder.parent.mkdir(parents=True, exist_ok=True)
    executable, marker = folder / "bin" / "label-studio", folder / ".installed"
    with open(folder.parent / f"{folder.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.exists():
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(folder)], check=True)
            subprocess.run(
                [str(folder / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                 f"label-studio=={VERSION}"],
                check=True, timeout=timeout,
            )
            marker.write_text(VERSION + "\n", encoding="utf-8")
    return executable


@contextmanager
def running_label_studio(data_dir: Path, startup_timeout: float = 600) -> Iterator[httpx.Client]:
    """Label Studio on loopback; yields an HTTP client logged in with the user's API token."""
    executable = installed_label_studio()
    port = free_port()
    env = {
        **os.environ,
        "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
        "DJANGO_DB": "sqlite",
        "COLLECT_ANALYTICS": "false",
        "LATEST_VERSION_CHECK": "false",
        "SENTRY_DSN": "",
        "FRONTEND_SENTRY_DSN": "",
        "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
        # the ML backend under test listens on 127.0.0.1, which Label Studio refuses by default
        "ML_BLOCK_LOCAL_IP": "false",
        "SSRF_PROTECTION_ENABLED": "false",
        # a shared 2-core machine answers slower than Label Studio's defaults (1 s health, 3 s setup) allow
        "ML_TIMEOUT_HEALTH": "30",
        "ML_TIMEOUT_SETUP": "60",
        "ML_TIMEOUT_PREDICT": "600",
    }
    log = data_dir / "label-studio.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(executable), "start", "--no-browser", "--internal-host", "127.0.0.1", "--port", str(port),
             "--data-dir", str(data_dir), "--username", USER, "--password", PASSWORD, "--user-token", TOKEN,
             "--enable-legacy-api-token", "--log-level", "WARNING"],
            env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(process, f"{url}/health", log, "Label Studio", startup_timeout)
        with httpx.Client(base_url=url, headers={"Authorization": f"Token {TOKEN}"}, timeout=600) as client:
            yield client
    finally:
        stop_group(process)
