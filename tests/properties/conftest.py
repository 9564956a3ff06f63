"""Hypothesis settings for the property tests: bounded so the whole property suite runs in
about a minute on two cores (FORUM_HYPOTHESIS_PROFILE=deep runs many more examples)."""
from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_QUIET = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
          HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile("radslag", max_examples=60, deadline=None, database=None,
                          suppress_health_check=_QUIET, print_blob=True)
settings.register_profile("deep", max_examples=2000, deadline=None, database=None,
                          suppress_health_check=_QUIET, print_blob=True)


def profile(examples: int | None = None) -> settings:
    """The chosen profile, optionally with fewer examples for expensive properties (scaled
    up with the profile: `deep` runs 2000 / 60 times as many)."""
    chosen = settings.get_profile(os.environ.get("FORUM_HYPOTHESIS_PROFILE", "radslag"))
    if examples is None:
        return chosen
    return settings(chosen, max_examples=max(1, examples * chosen.max_examples // 60))


from tests.live.conftest import live_client  # noqa: E402, F401 - Socket.IO test clients
