"""Indicators: short pure functions, tables in and tables out, each with its source."""
