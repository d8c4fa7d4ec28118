"""Playwright fixtures for the browser journeys.

pytest-playwright provides `browser`, `context` and `page`; here we only point
it at the system Chromium (Playwright's own browser download is not used) and
give every context a short, explicit timeout and an English locale.

A missing Chromium is an error, never a skip: CI installs it, and a silently
skipped journey would hide a broken pipeline.
"""
from __future__ import annotations

import os

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Milliseconds; a local live server answers in well under a second.
DEFAULT_TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: the e2e tests drive the system Chromium "
            "(install it with `apt-get install chromium`); Playwright's own browser download is not used.",
            pytrace=False,
        )
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-GB", "timezone_id": "UTC"}


@pytest.fixture
def context(context):
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
    return context


class ServerErrors:
    """Collects every 5xx response seen by the browser contexts it watches."""

    def __init__(self):
        self.errors: list[str] = []

    def watch(self, context):
        def record(response):
            if response.status >= 500:
                self.errors.append(f"{response.status} {response.request.method} {response.url}")

        context.on("response", record)
        return context


@pytest.fixture
def server_errors(context):
    recorder = ServerErrors()
    recorder.watch(context)
    return recorder


@pytest.fixture
def new_page(new_context, server_errors):
    """A page in a fresh browser context (no cookies: a new visitor), with the same timeouts and 5xx watch."""

    def make():
        fresh = new_context()
        fresh.set_default_timeout(DEFAULT_TIMEOUT_MS)
        fresh.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
        server_errors.watch(fresh)
        return fresh.new_page()

    return make
