"""People: users and groups, who may claim or complete a task, duty cover, and administrators' settings changes.
May use: ``engine.scripting`` (excludeUsers expressions), ``engine.cases`` (audit), ``engine.time``, ``engine.storage``."""
