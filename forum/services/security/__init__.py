"""Sign-in security: session records, two-factor sign-in, remembered devices."""
