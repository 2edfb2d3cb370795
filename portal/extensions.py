"""Flask extensions, created unbound and initialised by :func:`portal.create_app`."""

from email import charset

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from portal.db import Base

# Importing Flask-Mail switches Python's UTF-8 mail bodies to 8bit for the whole process; put
# base64 back so bodies survive every relay (and Chinese text never arrives mangled).
charset.add_charset("utf-8", charset.SHORTEST, charset.BASE64, "utf-8")

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
mail = Mail()


def _client_address() -> str:
    return get_remote_address() or request.remote_addr or "unknown"


limiter = Limiter(key_func=_client_address)
