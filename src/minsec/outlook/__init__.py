"""Outlook: demand scenarios, recycling as a secondary supply, and the national targets."""
