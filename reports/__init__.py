"""Exports for meetings and reports: meeting pack (.docx), workbook (.xlsx), CSV and PNG charts.

Entry points: ``reports.export.export`` (gather, build, audit), the pure builders in
``reports.pack`` / ``reports.workbook`` / ``reports.export.build_charts_zip``, and
``python -m reports``. See ``docs/reports.md``.
"""
