"""Search queries pasted into prose (positives) and the same strings used legitimately (negatives).

Queries come from templates over small product / service / place lists, written the way
spam pages paste them: lowercase, no punctuation, dropped between two words of a sentence.
"""

from __future__ import annotations

import random
import re

PRODUCTS = (
    "car insurance", "payday loans", "cbd oil", "web hosting", "running shoes", "iphone cases",
    "dog food", "pizza", "cheap flights", "wedding dresses", "viagra", "hair extensions",
    "gaming laptop", "solar panels", "life insurance", "protein powder", "office chairs",
    "used cars", "engagement rings", "vpn", "essay writing", "bitcoin", "weight loss pills",
    "sofa beds", "garden furniture", "hotel rooms", "contact lenses", "phone repair",
)  # fmt: skip
SERVICES = (
    "plumber", "seo services", "dentist", "locksmith", "divorce lawyer", "roofing contractor",
    "personal injury lawyer", "electrician", "carpet cleaning", "removal company",
    "wedding photographer", "driving lessons", "accountant", "web design", "boiler repair",
    "dog grooming", "pest control", "tree surgeon", "estate agents", "car hire",
)  # fmt: skip
PLACES = (
    "london", "manchester", "birmingham", "leeds", "glasgow", "uk", "usa", "new york",
    "los angeles", "chicago", "houston", "toronto", "sydney", "melbourne", "dubai", "delhi",
    "mumbai", "dublin", "texas", "florida", "california", "near me", "online",
)  # fmt: skip
TEMPLATES = (
    "cheap {product} {place}", "best {product} near me", "buy {product} online",
    "{service} {place}", "best {service} in {place}", "{product} for sale {place}",
    "cheap {product} uk", "{service} near me", "discount {product} free shipping",
    "{product} price {place}", "affordable {service} {place}", "top rated {service} {place}",
    "buy cheap {product}", "{product} deals {place}", "emergency {service} {place}",
    "{product} reviews 2021", "where to buy {product}", "{service} cost {place}",
)  # fmt: skip

_WORD = re.compile(r"\S+")


def make_query(rng: random.Random) -> str:
    t = rng.choice(TEMPLATES)
    q = t.format(
        product=rng.choice(PRODUCTS), service=rng.choice(SERVICES), place=rng.choice(PLACES)
    )
    return re.sub(r"\s+", " ", q).strip()


def insert_query(paragraph: str, rng: random.Random) -> tuple[str, dict] | None:
    """Paste one query between two words inside a sentence; returns (text, true span)."""
    words = list(_WORD.finditer(paragraph))
    slots = []
    for i in range(1, len(words) - 1):
        left, right = words[i].group(), words[i + 1].group()
        # After a word with no trailing punctuation, not at a sentence's first word, before a
        # lowercase word: the query lands mid-sentence and breaks the grammar.
        prev = words[i - 1].group()
        if (
            left[-1].isalnum()
            and right[0].islower()
            and not prev.endswith((".", "!", "?"))
            and i + 1 < len(words)
        ):
            slots.append(i)
    if not slots:
        return None
    i = rng.choice(slots)
    query = make_query(rng)
    at = words[i].end()
    text = paragraph[:at] + " " + query + paragraph[at:]
    span = {
        "start": at + 1,
        "end": at + 1 + len(query),
        "text": query,
        "original": "",
        "kind": "keyword",
    }
    return text, span


_QUOTED = (
    'Searches for "{q}" rose sharply that year, according to the company.',
    'The phrase "{q}" was among the most common spam queries in the study.',
    'Local newspapers mocked the campaign slogan "{q}" for weeks.',
    "Researchers typed the query '{q}' into three search engines and compared the results.",
)
_LIST_INTRO = (
    "The most frequent search queries in the report were:",
    "Examples of the keywords the agency tracked include:",
    "The study grouped queries such as the following:",
)
_TITLE_TAIL = (
    ": What You Need to Know",
    " - A Guide for Beginners",
    ": Ten Things to Check First",
    " in 2021: Prices and Reviews",
)


def legitimate_use(paragraph: str, rng: random.Random, kind: str) -> str:
    """A clean document where query-like strings occur legitimately (quoted, list, title)."""
    if kind == "quoted":
        return paragraph + " " + rng.choice(_QUOTED).format(q=make_query(rng))
    if kind == "list":
        items = [make_query(rng) for _ in range(rng.randint(3, 5))]
        return (
            paragraph + "\n" + rng.choice(_LIST_INTRO) + "\n" + "\n".join(f"- {q}" for q in items)
        )
    if kind == "title":
        title = make_query(rng).title().replace("Uk", "UK").replace("Usa", "USA")
        return title + rng.choice(_TITLE_TAIL) + "\n" + paragraph
    raise ValueError(kind)


NEGATIVE_KINDS = ("quoted", "list", "title")
