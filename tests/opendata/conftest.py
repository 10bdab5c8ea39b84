import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest

from thesaban.opendata import importers

SAMPLES = Path(__file__).resolve().parents[2] / "thesaban" / "opendata" / "samples"


def sample_bytes(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def csv_sum(data: bytes, column: str = "จำนวนเงิน", **where: str) -> Decimal:
    """The file's own sum, computed independently of the importer."""
    rows = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    total = Decimal("0")
    for row in rows:
        if all(row[k] == v for k, v in where.items()):
            total += Decimal(row[column].replace(",", ""))
    return total


@pytest.fixture
def budget_2570(municipality):
    data = sample_bytes("budget-2570.csv")
    result = importers.import_budget(municipality=municipality, name="budget-2570.csv", data=data)
    assert result.ok, result.errors.items[:3]
    return data


@pytest.fixture
def demo_data(municipality):
    import datetime as dt

    from thesaban.opendata import demo

    municipality.population = 41_235
    municipality.save(update_fields=["population"])
    return demo.load(municipality, today=dt.date(2026, 11, 21))
