"""Deliberation: proposals, positions, results, outcomes and commitments (and statement rounds)."""
