"""Plotly figure functions shared by the pages and the reports."""
