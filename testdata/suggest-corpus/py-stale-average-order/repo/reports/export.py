"""CSV exports of the monthly sales report."""
import csv
import io

from reports.db import monthly_sales


def average_order(month):
    sales = monthly_sales(month)
    orders = sales.order_count
    avg = sales.revenue / orders
    return avg


def progress(done, total):
    percent = round(done / total * 100)
    return f"{percent}%"


def export_month(month, out=None):
    out = out or io.StringIO()
    sales = monthly_sales(month)
    writer = csv.writer(out)
    writer.writerow(["month", "orders", "revenue", "average"])
    writer.writerow([month, sales.order_count, sales.revenue, average_order(month)])
    return out
