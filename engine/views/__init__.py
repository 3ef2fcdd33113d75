"""Read-only views: task lists, a case as staff see it, and a case as its complainant sees it.
May use: every layer below, ``engine.runtime`` included; nothing in the engine imports this package."""
