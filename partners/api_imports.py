"""API endpoint for coordinators' imports of smartcity-listings/1 documents."""
