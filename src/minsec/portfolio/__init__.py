"""The MSP project portfolio: registry, gaps, opportunities, and the best next projects."""
