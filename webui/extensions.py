"""The Flask extensions, unbound: ``create_app`` binds them to each app (``init_app``)."""
from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager

login_manager = LoginManager()
babel = Babel()
# In memory by default (one process); RATELIMIT_STORAGE_URI (e.g. redis://…) shares the counts between
# several processes. Only failed sign-ins and failed /track lookups are limited: no default limits.
limiter = Limiter(get_remote_address, default_limits=[], headers_enabled=False)
