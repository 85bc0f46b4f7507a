"""The chapters' figures, one module per chapter topic; each draws, none computes what it shows."""
