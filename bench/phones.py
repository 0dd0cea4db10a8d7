"""Phone cells of a spreadsheet import: microseconds per cell, three ways, in one run.

100,000 distinct phone cells as `crm.importing.samples` writes them into the benchmark's 1C
workbook (every 11th string cell with a second, office number; Excel floats; extensions), read:
- `phonenumbers_parse`: the import baseline's piece, `phonenumbers.parse` + E.164 formatting
  of the cell's text up to its first comma (no validation, no second number);
- `full_path`: `crm.phones._parse_phone_cell_full`, the way every cell was read before the
  quick way for plain digits (no parse cache either: the cells are distinct);
- `parse_phone_cell`: `crm.phones.parse_phone_cell` as the import calls it, its parse cache
  cleared before each block so that no cell is answered from an earlier one.
The cells go by shape (one number, number and extension, Excel float, two numbers) in blocks of
500; each block runs the three in turn, starting with a different one each time, so that
load from other processes falls on all three alike. Times are the process's CPU time (the
machine is shared; this is one thread of pure computation): the mean over all cells; the median
over blocks of each block's ratios (the fairest figure when other processes come in bursts);
per shape, the median and the best block. The results of the full path and of
`parse_phone_cell` are compared: the run fails if any cell differs.

    .venv/bin/python -m bench.phones [--cells 100000]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable

import phonenumbers

from bench.common import machine, write_results
from crm import phones
from crm.importing.samples import _messy_phone, _mobile

BLOCK = 500
CITY_CODES = [495, 343, 383, 843]


def cells(count: int) -> list[object]:
    """Distinct phone cells in the proportions of the benchmark workbook."""
    result: list[object] = []
    for index in range(1, count + 1):
        code, number = _mobile(index)
        cell = _messy_phone(code, number, index % 5)
        if index % 11 == 0 and isinstance(cell, str):
            office = f"{2000000 + index % 7000000:07d}"
            city = CITY_CODES[index % len(CITY_CODES)]
            cell = f"{cell}; 8 ({city}) {office[:3]}-{office[3:5]}-{office[5:]}"
        result.append(cell)
    return result


def baseline_piece(cell: object) -> str | None:
    """What the import baseline does with a phone cell (bench/import_pipeline.py)."""
    try:
        parsed = phonenumbers.parse(str(cell).split(",")[0], "RU")
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def new_path(cell: object) -> list[phones.Phone]:
    return phones.parse_phone_cell(cell, "RU")


def full_path(cell: object) -> list[phones.Phone]:
    return phones._parse_phone_cell_full(cell, "RU")


WAYS: dict[str, Callable[[object], object]] = {
    "phonenumbers_parse": baseline_piece,
    "full_path": full_path,
    "parse_phone_cell": new_path,
}


def shape(cell: object) -> str:
    if isinstance(cell, float):
        return "excel_float"
    if ";" in str(cell):
        return "two_numbers"
    if "доб" in str(cell):
        return "number_and_extension"
    return "one_number"


def timed_block(read: Callable[[object], object], block: list[object]) -> tuple[float, list]:
    phones._parse_plain.cache_clear()
    gc.collect()
    started = time.process_time()
    results = [read(cell) for cell in block]
    return time.process_time() - started, results


def run(count: int) -> dict:
    sample = cells(count)
    assert len({repr(cell) for cell in sample}) == len(sample), "cells must be distinct"
    shapes: dict[str, list[object]] = {}
    for cell in sample:
        shapes.setdefault(shape(cell), []).append(cell)
    total = dict.fromkeys(WAYS, 0.0)
    all_blocks: list[dict[str, float]] = []
    by_shape = {}
    differences = 0
    for name, shaped in sorted(shapes.items()):
        blocks = []
        for number, start in enumerate(range(0, len(shaped), BLOCK)):
            block = shaped[start : start + BLOCK]
            us, results = {}, {}
            names = list(WAYS)
            for way in names[number % 3 :] + names[: number % 3]:
                seconds, results[way] = timed_block(WAYS[way], block)
                total[way] += seconds
                us[way] = seconds / len(block) * 1e6
            blocks.append(us)
            differences += sum(
                new != old
                for new, old in zip(results["parse_phone_cell"], results["full_path"], strict=True)
            )
        all_blocks += blocks
        by_shape[name] = {
            "cells": len(shaped),
            "example": str(shaped[0]),
            "median_block_us": {way: _median(blocks, way) for way in WAYS},
            "best_block_us": {way: round(min(us[way] for us in blocks), 2) for way in WAYS},
            **_ratios(blocks),
        }
    mean = {way: round(total[way] / count * 1e6, 2) for way in WAYS}
    return {
        "cells": count,
        "machine": machine(),
        "phonenumbers": phonenumbers.__version__,
        "us_per_cell_mean": mean,
        "ratios_of_means": {
            "parse_phone_cell_vs_phonenumbers_parse": _ratio(mean, "phonenumbers_parse"),
            "parse_phone_cell_vs_full_path": _ratio(mean, "full_path"),
        },
        **_ratios(all_blocks),
        "us_per_cell_by_shape": by_shape,
        "numbers_read_the_quick_way": _quick_answers(sample),
        "cells_that_differ": differences,
    }


def _median(blocks: list[dict[str, float]], way: str) -> float:
    return round(statistics.median(us[way] for us in blocks), 2)


def _ratio(us: dict[str, float], baseline: str) -> float:
    return round(us["parse_phone_cell"] / us[baseline], 2)


def _ratios(blocks: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    """Median over blocks of each block's own ratio: the three ways of a block ran back to back,
    under about the same load from other processes."""
    return {
        "median_block_ratios": {
            f"parse_phone_cell_vs_{baseline}": round(
                statistics.median(_ratio(us, baseline) for us in blocks), 2
            )
            for baseline in ("phonenumbers_parse", "full_path")
        }
    }


def _quick_answers(sample: list[object]) -> int:
    """How many numbers the quick way answered (counted in a pass of its own, not timed)."""
    quick = phones._parse_digits_quickly
    answered = 0

    def counted(number_text: str, region: str | None):
        nonlocal answered
        answer = quick(number_text, region)
        answered += answer is not None
        return answer

    phones._parse_digits_quickly = counted
    try:
        phones._parse_plain.cache_clear()
        for cell in sample:
            new_path(cell)
    finally:
        phones._parse_digits_quickly = quick
    return answered


WAYS.update(phonenumbers_parse=baseline_piece, full_path=full_path, parse_phone_cell=new_path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cells", type=int, default=100_000)
    args = parser.parse_args()
    results = run(args.cells)
    print(results)
    if results["cells_that_differ"]:
        raise SystemExit(f"{results['cells_that_differ']} cells read differently")
    if args.cells == 100_000:
        print("written", write_results("phones", results))


if __name__ == "__main__":
    main()
