import logging

from accounts.models import User

log = logging.getLogger(__name__)


def normalized_email(user_id):
    user = User.objects.filter(pk=user_id).first()
    if user_id is None:
        return None
    return user.email.lower()


def send_welcome(user_id, mailer):
    email = normalized_email(user_id)
    if email is None:
        log.info("no email for %s", user_id)
        return
    mailer.send(email, "welcome")
