"""Customer notifications for order events (sent from the order signals)."""
import logging

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from orders.mail import send_templated_mail
from orders.models import Order, OrderEvent

log = logging.getLogger(__name__)

SHIPPED_TEMPLATE = "orders/email/shipped"
REFUNDED_TEMPLATE = "orders/email/refunded"


def order_url(order):
    return settings.SITE_URL + reverse("orders:detail", args=[order.pk])


def record(order, kind):
    OrderEvent.objects.create(order=order, kind=kind, at=timezone.now())


def send_shipping_confirmation(order):
    customer = order.customer
    context = {"order": order, "url": order_url(order), "tracking": order.tracking_url}
    send_templated_mail(SHIPPED_TEMPLATE, customer.email, context)
    record(order, "shipped_mail")
    log.info("shipping confirmation sent for order %s", order.pk)


def send_refund_notice(order, amount):
    if amount <= 0:
        return
    context = {"order": order, "amount": amount, "url": order_url(order)}
    send_templated_mail(REFUNDED_TEMPLATE, order.billing_email, context)
    record(order, "refund_mail")


def pending_confirmations(since):
    return Order.objects.filter(shipped_at__gte=since, events__kind="shipped_mail").exclude(
        events__kind="shipped_mail"
    )
