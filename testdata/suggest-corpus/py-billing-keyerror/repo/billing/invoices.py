"""Invoice totals for the billing service.

Amounts are Decimals in the invoice's currency; VAT is applied per line, by the
customer's country, as finance publishes the rates each quarter.
"""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction

from billing.models import Invoice, InvoiceLine

CENT = Decimal("0.01")

VAT_RATES = {
    "AT": {"vat_rate": Decimal("0.20"), "reduced": Decimal("0.10")},
    "BE": {"vat_rate": Decimal("0.21"), "reduced": Decimal("0.06")},
    "DE": {"vat_rate": Decimal("0.19"), "reduced": Decimal("0.07")},
    "ES": {"vat_rate": Decimal("0.21"), "reduced": Decimal("0.10")},
    "FR": {"vat_rate": Decimal("0.20"), "reduced": Decimal("0.055")},
    "IE": {"vat_rate": Decimal("0.23"), "reduced": Decimal("0.135")},
    "IT": {"vat_rate": Decimal("0.22"), "reduced": Decimal("0.10")},
    "NL": {"vat_rate": Decimal("0.21"), "reduced": Decimal("0.09")},
    "PL": {"vat_rate": Decimal("0.23"), "reduced": Decimal("0.08")},
    "PT": {"vat_rate": Decimal("0.23"), "reduced": Decimal("0.06")},
    "SE": {"vat_rate": Decimal("0.25"), "reduced": Decimal("0.12")},
    # Reverse charge: the customer accounts for VAT; finance lists no rate.
    "CH": {"reverse_charge": True},
    "GB": {"reverse_charge": True},
    "NO": {"reverse_charge": True},
}


@dataclass(frozen=True)
class Totals:
    net: Decimal
    vat: Decimal
    gross: Decimal


def quantize(amount):
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def reverse_charged(country):
    return VAT_RATES.get(country, {}).get("reverse_charge", False)


def invoice_totals(invoice):
    net = Decimal("0")
    gross = Decimal("0")
    for line in invoice.lines.all():
        net += line.net
        gross += line_total(line, invoice.country)
    net, gross = quantize(net), quantize(gross)
    return Totals(net=net, vat=gross - net, gross=gross)


@transaction.atomic
def finalize(invoice_id):
    invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
    if invoice.finalized:
        return invoice
    totals = invoice_totals(invoice)
    invoice.net_total = totals.net
    invoice.vat_total = totals.vat
    invoice.gross_total = totals.gross
    invoice.finalized = True
    invoice.save(update_fields=["net_total", "vat_total", "gross_total", "finalized"])
    return invoice


def add_line(invoice, product, quantity):
    if invoice.finalized:
        raise ValueError(f"invoice {invoice.pk} is final")
    line = InvoiceLine(
        invoice=invoice,
        product=product,
        quantity=quantity,
        net=quantize(product.unit_price * quantity),
    )
    line.save()
    return line


def credit_note(invoice, reason):
    note = Invoice.objects.create(
        customer=invoice.customer,
        country=invoice.country,
        currency=invoice.currency,
        credits=invoice,
        memo=reason[: settings.BILLING_MEMO_LENGTH],
    )
    for line in invoice.lines.all():
        InvoiceLine.objects.create(
            invoice=note,
            product=line.product,
            quantity=-line.quantity,
            net=-line.net,
        )
    return note


def describe(invoice):
    totals = invoice_totals(invoice)
    return f"{invoice.pk}: {totals.gross} {invoice.currency}"


def line_total(line, country):
    rates = VAT_RATES[country]
    return line.net * (1 + rates['vat_rate'])


def line_vat(line, country):
    return line_total(line, country) - line.net
