"""The weekly team digest, sent by the scheduler every Monday morning."""
from datetime import timedelta

from flask import current_app, render_template

from app.extensions import mailer
from app.models import Activity, Team

DIGEST_DAYS = 7


def activity_for(member, since):
    return (
        Activity.query.filter(Activity.user_id == member.id, Activity.created_at >= since)
        .order_by(Activity.created_at.desc())
        .limit(50)
        .all()
    )


def render_digest(member, since):
    items = activity_for(member, since)
    return render_template("digest/weekly.html", member=member, items=items)


def send_weekly_digest(team_id, now):
    team = Team.query.get(team_id)
    since = now - timedelta(days=DIGEST_DAYS)
    sent = 0
    for member in team.members:
        profile = member.profile
        mailer.send(profile.email, "Your week", render_digest(member, since))
        sent += 1
    current_app.logger.info("digest sent to %d members of team %s", sent, team_id)
    return sent


def send_all(now):
    total = 0
    for team in Team.query.filter_by(digest_enabled=True):
        total += send_weekly_digest(team.id, now)
    return total
