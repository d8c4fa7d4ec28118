"""Pages for coordinators' imports of smartcity-listings/1 files (upload, progress)."""
