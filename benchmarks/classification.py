"""Classification benchmarks, each against a baseline measured in the same run.

    .venv/bin/python benchmarks/classification.py [--events 5000] [--texts 2000]

1. Typical Segment traffic: track and page calls whose properties are mostly declared fields
   (``product_id``, ``sku``, ``price``, ``url``...) and a few unknown short tokens, with the
   context analytics.js sends; classified in batches of 100 as the ingest path does (one
   ``EventSealer`` memo per batch). Against the old per-event work: dropping card fields
   (``without_card_data``) and encoding the properties as JSON.
2. A harder mix, every value new: free-text notes, e-mail addresses in one call in ten, the
   client's context; no memo helps here.
3. ``strongroom scan``'s work (every detector that fits a text, overlaps resolved) against one
   e-mail regular expression over the same texts.

Times are CPU time of this process (the best of five runs), so other work on a shared machine
disturbs them less; the ratio is the figure to compare.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from collections.abc import Callable, Sequence

from strongroom.collect.cards import without_card_data
from strongroom.collect.classification import Memo, classify_event
from strongroom.collect.detectors.registry import DetectorRegistry, build_registry

Call = tuple[dict[str, object], dict[str, object]]
BATCH = 100
_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def typical_calls(n: int, *, seed: int = 7) -> list[Call]:
    """Product views, cart adds and page views of a shop with 500 products and 50 pages."""
    rng = random.Random(seed)
    products = [
        (f"p{k:05d}", f"SKU-{k:05d}", rng.choice(("Teas", "Mugs", "Pots")), 5 + k % 60)
        for k in range(500)
    ]
    calls: list[Call] = []
    for _ in range(n):
        path = f"/shop/{rng.choice(('teas', 'mugs', 'pots'))}/{rng.randrange(50)}"
        context: dict[str, object] = {
            "ip": f"198.51.100.{rng.randrange(250)}",
            "userAgent": _UA,
            "locale": rng.choice(("en-GB", "de-DE", "fr-FR")),
            "library": {"name": "analytics.js", "version": "next-1.70.0"},
            "page": {"path": path, "url": f"https://shop.example{path}", "title": "Shop"},
        }
        if rng.random() < 0.3:
            calls.append(({"path": path, "url": f"https://shop.example{path}"}, context))
            continue
        product_id, sku, category, price = rng.choice(products)
        properties: dict[str, object] = {
            "product_id": product_id,
            "sku": sku,
            "category": category,
            "name": f"{category[:-1]} no. {product_id[1:]}",
            "price": float(price),
            "quantity": rng.randint(1, 3),
            "currency": "GBP",
            "url": f"https://shop.example/p/{product_id}",
            "variant": rng.choice(("blue", "green", "250g")),  # and a few unknown tokens:
            "ab_group": rng.choice(("a", "b")),
            "source_page": rng.choice(("home", "search", "category")),
        }
        calls.append((properties, context))
    return calls


def mixed_calls(n: int) -> list[Call]:
    """Every value different: notes in free text, an e-mail address in one call in ten."""
    return [
        (
            {
                "product_id": f"p-{i}",
                "sku": f"SKU-{i}",
                "price": 19.99,
                "quantity": 1 + i % 3,
                "currency": "EUR",
                "color": "blue",
                "gift_note": f"for my friend number {i}, with love",
                "contact": f"person{i}@example.org" if i % 10 == 0 else "n/a",
            },
            {
                "ip": f"203.0.113.{i % 250}",
                "userAgent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
                "locale": "en-GB",
                "page": {"path": f"/p/{i}", "url": f"https://shop.example/p/{i}"},
                "library": {"name": "analytics.js", "version": "2.11.1"},
            },
        )
        for i in range(n)
    ]


def _best(run: Callable[[], object], repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


def classify_batches(calls: Sequence[Call], registry: DetectorRegistry, *, memo: bool) -> None:
    """Classify ``calls`` in batches of ``BATCH``, one memo per batch as ``EventSealer`` keeps."""
    for start in range(0, len(calls), BATCH):
        batch_memo: Memo | None = {} if memo else None
        for properties, context in calls[start : start + BATCH]:
            classify_event(properties, context, registry, batch_memo)


def old_work(calls: Sequence[Call]) -> None:
    for properties, _ in calls:
        json.dumps(without_card_data(properties, None))


def report(name: str, calls: Sequence[Call], registry: DetectorRegistry, *, memo: bool) -> None:
    classified = _best(lambda: classify_batches(calls, registry, memo=memo))
    baseline = _best(lambda: old_work(calls))
    n = len(calls)
    print(
        f"{name}: {n / classified:,.0f} events/s ({classified / n * 1e6:.1f} us/event); "
        f"baseline {n / baseline:,.0f}/s ({baseline / n * 1e6:.1f} us/event); "
        f"ratio {classified / baseline:.1f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--texts", type=int, default=2000)
    args = parser.parse_args()
    registry = build_registry()
    report("classify typical traffic", typical_calls(args.events), registry, memo=True)
    report("classify the mix, no memo", mixed_calls(args.events), registry, memo=False)
    texts = [
        f"order {i}: call +44 20 7946 {i % 10000:04d} or mail user{i}@example.org, "
        f"ip 10.0.{i % 250}.1"
        for i in range(args.texts)
    ]
    email = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
    scanned = _best(lambda: [registry.detect(text) for text in texts], repeat=3)
    regex = _best(lambda: [email.findall(text) for text in texts], repeat=3)
    print(
        f"scan {args.texts} texts: {args.texts / scanned:,.0f}/s; "
        f"one regex {args.texts / regex:,.0f}/s; ratio {scanned / regex:.1f}x"
    )


if __name__ == "__main__":
    main()
