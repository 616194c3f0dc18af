"""Partners' spreadsheets: read, validated, refused or stored (data-returns spec, sections 2-7).

Public API: ``data_loaders.ingest.ingest_file``, ``validate_file``, ``FileReport``;
command line: ``python -m data_loaders ingest FILE... --partner CODE``.
"""
