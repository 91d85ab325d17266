"""Feature flags kept in the user's session, set by the admin console."""
from flask import Blueprint, render_template, session

bp = Blueprint("home", __name__)


def session_flags():
    return session.get("flags", {})


def dark_mode():
    flags = session_flags()
    return bool(flags.get("dark_mode"))


@bp.route("/")
def home():
    flags = session_flags()
    if flags["beta_banner"]:
        return render_template("home.html", banner="beta", dark=dark_mode())
    return render_template("home.html", banner=None, dark=dark_mode())


@bp.route("/settings")
def settings_page():
    return render_template("settings.html", dark=dark_mode())
