"""Time: the clock, the school's time settings, the working-day calendar, timer literals and due-time arithmetic.
May use: ``engine.storage`` (calendar entries, settings rows) and ``engine.errors``."""
