"""Case records: case numbers, complainants' tracking codes and the tamper-evident audit chain.
May use: ``engine.time`` and ``engine.storage``."""
