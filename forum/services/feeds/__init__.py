"""Feeds: Atom feeds of public discussion, iCalendar feeds of live sessions, and the secret
addresses of members' private calendars."""
