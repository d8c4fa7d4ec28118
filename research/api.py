"""Research API viewsets; `register` adds them to the site's /api/v1/ router."""


def register(router) -> None:
    return None
