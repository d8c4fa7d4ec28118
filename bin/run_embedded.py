"""Run the embedded default: web server, Celery worker and beat on one machine,
with SQLite and Kombu's filesystem broker. Ctrl-C stops all three."""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
PYTHON = sys.executable


def embedded_environment() -> dict[str, str]:
    VAR.mkdir(exist_ok=True)
    key_file = VAR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="1",
        SECRET_KEY=key_file.read_text().strip(),
        DATABASE_URL=f"sqlite:///{VAR / 'db.sqlite3'}",
        CELERY_BROKER_URL="filesystem://",
        REDIS_URL="",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def print_accounts(port: str) -> None:
    sys.path.insert(0, str(ROOT))
    from partners.demo import DEMO_PASSWORD, USERS

    print(f"\n  China–CEE Smart City Cooperation is running at http://127.0.0.1:{port}/")
    print(f"  Chinese: http://127.0.0.1:{port}/zh-hans/   API docs: http://127.0.0.1:{port}/api/docs/   Health: /healthz")
    print(f"\n  Demo accounts (password for all: {DEMO_PASSWORD}):")
    for user in USERS:
        what = user.role if not user.organisations else f"{user.role} of {', '.join(user.organisations)}"
        print(f"    {user.email:<32} {what}")
    print("\n  Press Ctrl-C to stop the web server, the worker and beat.\n")


def main() -> int:
    port = os.environ.get("PORT", "8000")
    env = embedded_environment()
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "compile_translations")
    manage(env, "load_demo")
    commands = {
        "web": [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        "worker": [PYTHON, "-m", "celery", "-A", "config", "worker", "-l", "info", "--concurrency", "2",
                   "-n", "embedded@%h"],
        "beat": [PYTHON, "-m", "celery", "-A", "config", "beat", "-l", "info",
                 "-s", str(VAR / "celerybeat-schedule")],
    }
    # Each child leads its own process group, so stopping reaches their children too.
    processes = {name: subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True) for name, cmd in commands.items()}
    print_accounts(port)

    stopping = False

    def stop(*_args) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for name, process in processes.items():
            if process.poll() is not None:
                print(f"{name} exited with code {process.returncode}; stopping the others.", file=sys.stderr)
                exit_code, stopping = process.returncode or 1, True
                break
        time.sleep(0.5)

    # SIGTERM to each leader: Celery then shuts its pool down itself (warm shutdown).
    for process in processes.values():
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + 15
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    print("Stopped the web server, the worker and beat.")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
