"""Flask extensions, created unbound and bound to the app in ``create_app``."""

from typing import TYPE_CHECKING

from flask_limiter import Limiter
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from advocacy.core.db import Base
from advocacy.core.network import client_address

db = SQLAlchemy(model_class=Base)
# The base every model subclasses. ``db.Model`` is built at runtime (a copy of ``Base`` with
# Flask-SQLAlchemy's table naming and binds, sharing its registry and metadata), so mypy
# cannot see it as a class; it sees ``Base``, whose columns, constructor and types it knows.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate(compare_type=True, render_as_batch=True)
csrf = CSRFProtect()
mail = Mail()
login_manager = LoginManager()
login_manager.login_view = "accounts.login"
login_manager.login_message = "Please log in to continue."
login_manager.login_message_category = "info"
# Abuse limits (see config.py, RATELIMIT_* and *_LIMIT*): Redis storage when REDIS_URL is
# set, process memory otherwise. Keys come from client_address(): ProxyFix with PROXY_HOPS.
limiter = Limiter(key_func=client_address)
