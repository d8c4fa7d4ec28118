"""Access matrix of the project pages and API beyond the proposal flow (see tests/partners/test_permissions.py)."""

# Project list and detail are in tests/partners/test_permissions.py's MATCH matrices.
COVERED_ROUTES: set[str] = set()
