"""Site-wide settings read once, when the app starts."""
import os

from app.models import Site

SITE = Site.query.filter_by(domain=os.environ.get("SITE_DOMAIN", "shop.acme.example")).first()

DEFAULT_FROM = SITE.owner.email
SUPPORT_ADDRESS = os.environ.get("SUPPORT_ADDRESS", "support@acme.example")
MAX_UPLOAD_MB = int(os.environ.get("MAX_UPLOAD_MB", "20"))


def mail_headers():
    return {"From": DEFAULT_FROM, "Reply-To": SUPPORT_ADDRESS}


def upload_limit_bytes():
    return MAX_UPLOAD_MB * 1024 * 1024


def is_production():
    return os.environ.get("APP_ENV") == "production"


def site_name():
    return SITE.name
