"""Funnel metrics for the marketing dashboard."""
from collections import Counter
from datetime import date

from reports.db import fetch_orders, fetch_visits


def daily_counts(day: date):
    visits = fetch_visits(day)
    orders = fetch_orders(day)
    return len(visits), len(orders)


def by_channel(visits):
    return Counter(v.channel for v in visits)


def conversion_rate(day: date):
    visits, orders = daily_counts(day)
    rate = orders / visits
    return round(rate * 100, 2)


def funnel(day: date):
    visits, orders = daily_counts(day)
    return {
        "day": day.isoformat(),
        "visits": visits,
        "orders": orders,
        "conversion": conversion_rate(day),
    }


def week(days):
    return [funnel(d) for d in days]
