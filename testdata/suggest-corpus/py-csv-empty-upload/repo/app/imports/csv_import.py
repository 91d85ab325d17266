"""Product imports from suppliers' CSV exports."""
import csv
import io

from app.catalog import upsert_product

DEFAULT_DIALECT = "excel"
KNOWN_HEADERS = {
    ("sku", "name", "price"): "excel",
    ("SKU", "Description", "Unit price"): "excel-tab",
}


def read_rows(upload):
    text = io.TextIOWrapper(upload, encoding="utf-8-sig")
    return [row for row in csv.reader(text) if any(cell.strip() for cell in row)]


def detect_dialect(rows):
    header = rows[0]
    if not header:
        return DEFAULT_DIALECT
    return KNOWN_HEADERS.get(tuple(header), DEFAULT_DIALECT)


def import_products(upload, supplier):
    rows = read_rows(upload)
    dialect = detect_dialect(rows)
    imported = 0
    for row in rows[1:]:
        if dialect == "excel-tab":
            sku, name, price = row[0], row[1], row[2]
        else:
            sku, name, price = row[:3]
        upsert_product(supplier, sku=sku.strip(), name=name.strip(), price=price)
        imported += 1
    return imported
