"""Rebuild helpers/backprop/datasets/reviews.tsv: 100 hand-written sentences plus 480 composed from hand-written parts.

The corpus ships with the course; this script documents exactly how it was made and rebuilds it byte for byte
(fixed seed). Usage: python scripts/make_reviews.py [OUTPUT] (default: the shipped file).
"""
import re
import sys
from pathlib import Path

import numpy as np

DEFAULT_OUTPUT = Path(__file__).resolve().parents[1] / "helpers" / "backprop" / "datasets" / "reviews.tsv"

rng = np.random.default_rng(2026)

SUBJECTS = {
    "film": ["film", "plot", "acting", "ending", "script", "soundtrack", "story", "sequel"],
    "food": ["soup", "pasta", "service", "dessert", "curry", "coffee", "pizza", "breakfast"],
    "product": ["kettle", "charger", "backpack", "blender", "keyboard", "headset", "printer", "tent"],
    "hotel": ["room", "hotel", "bed", "view", "pool", "shower", "location", "staff"],
}
POS = {
    "any": ["good", "great", "excellent", "wonderful", "lovely", "superb", "brilliant", "pleasant"],
    "film": ["gripping", "funny"],
    "food": ["delicious", "fresh"],
    "product": ["sturdy", "reliable"],
    "hotel": ["clean", "comfortable"],
}
NEG = {
    "any": ["bad", "terrible", "awful", "poor", "horrible", "disappointing", "mediocre", "unpleasant"],
    "film": ["boring", "dull"],
    "food": ["bland", "stale"],
    "product": ["flimsy", "noisy"],
    "hotel": ["dirty", "cramped"],
}
INTENS = ["very", "really", "truly", "extremely", "quite", "so", "incredibly", "absolutely"]
VERB = ["was", "is", "seemed", "felt"]


def article(word):
    return "an" if word[0] in "aeiou" else "a"


def pick(seq):
    return seq[int(rng.integers(len(seq)))]


def domain():
    return pick(list(SUBJECTS))


def adj(polarity, dom):
    table = POS if polarity == 1 else NEG
    return pick(table["any"] + table[dom])


def maybe_intens(p=0.5):
    return pick(INTENS) + " " if rng.random() < p else ""


def plain(polarity):
    d = domain()
    s, a = pick(SUBJECTS[d]), adj(polarity, d)
    forms = [
        f"the {s} {pick(VERB)} {maybe_intens()}{a}",
        f"i found the {s} {maybe_intens()}{a}",
        f"honestly, the {s} was {maybe_intens()}{a}",
        f"what {article(a)} {a} {s}",
        f"the {s} turned out {maybe_intens()}{a}",
        f"overall {article(a)} {a} {s}",
        f"{maybe_intens(0.7)}{a} {s}, i must say",
    ]
    return pick(forms), polarity


def negated(polarity):
    """polarity of the whole sentence; the adjective has the opposite one."""
    d = domain()
    s, a = pick(SUBJECTS[d]), adj(1 - polarity, d)
    forms = [
        f"the {s} was not {a}",
        f"the {s} wasn't {a} at all",
        f"the {s} is never {a}",
        f"i would not call the {s} {a}",
        f"the {s} was not {a} in any way",
        f"the {s} isn't {a}",
        f"nothing about the {s} was {a}",
        f"the {s} never felt {a}",
        f"i did not find the {s} {a}",
        f"the {s} was far from {a}",
    ]
    if polarity == 0:  # negated praise can carry an intensifier: "not very good"
        forms += [f"the {s} was not {pick(['very', 'really', 'that', 'particularly'])} {a}"]
    return pick(forms), polarity


def contrast(polarity):
    """two clauses of opposite polarity; the one after 'but' (or the main clause after 'although') decides."""
    d = domain()
    s1, s2 = rng.choice(SUBJECTS[d], size=2, replace=False)
    first, last = adj(1 - polarity, d), adj(polarity, d)
    forms = [
        f"the {s1} was {first}, but the {s2} was {maybe_intens()}{last}",
        f"the {s1} was {maybe_intens()}{first} but the {s2} was {last}",
        f"although the {s1} was {first}, the {s2} was {last}",
        f"{first} {s1}, but {article(last)} {last} {s2}",
        f"the {s1} seemed {first} at first, but in the end it was {last}",
        f"i expected {article(first)} {first} {s1}, but it was {maybe_intens()}{last}",
    ]
    return pick(forms), polarity


HAND = """1	worth every penny
1	we will definitely come back next summer
1	my kids loved it and asked to watch it again
1	it does exactly what it promises
1	i laughed from start to finish
1	the staff went out of their way to help us
1	best meal we have had in years
1	i would happily buy it again
1	the battery lasts for days
1	a small gem of a film with a big heart
1	every bite was a joy
1	it arrived early and works like a charm
1	i was smiling all the way home
1	easily the highlight of our trip
1	the kind of story that stays with you
1	simple, honest food cooked with care
1	it survived a fall down the stairs without a scratch
1	i recommend it to everyone i know
1	the chef clearly knows what she is doing
1	ten minutes in and i was hooked
1	a bargain for the price
1	the room smelled of fresh linen and sea air
1	it makes my mornings easier
1	a warm welcome and a view to remember
1	the actors make every line sing
1	i could not put the remote down
1	i can't wait for the next one
1	no complaints at all
1	i have no regrets about this purchase
1	it never lets me down
1	i couldn't be happier with it
1	not a single thing went wrong
1	there is nothing i would change
1	you can't go wrong with this one
1	it exceeded every expectation i had
1	the portions were huge and the prices were fair
1	it folds flat and fits in any drawer
1	the last act had the whole room cheering
1	a relaxing stay from check in to check out
1	we left full and happy
1	it did not disappoint
1	i was not bored for a second
1	hard to find a fault with it
1	the kids still talk about that pizza
1	a clever little gadget that earns its place
1	gorgeous to look at and a pleasure to use
1	the noodles alone are worth the trip
1	a thoughtful film that trusts its audience
1	it was a treat from the first scene to the last
1	quick delivery and a lovely little gift note
0	i want my money back
0	it broke after two days
0	i fell asleep halfway through
0	we waited an hour for cold chips
0	the worst hotel i have ever stayed in
0	save your money and stay at home
0	it stopped charging after a week
0	the jokes fell flat every time
0	we left hungry and annoyed
0	a waste of a perfectly good evening
0	the lid leaks whenever you tilt it
0	i returned it the same day
0	nobody in the cinema laughed once
0	the sheets had stains on them
0	a long, slow slog with no payoff
0	it sounds like a jet engine
0	the coffee tasted like burnt rubber
0	two hours of my life i will never get back
0	the instructions made no sense
0	the plot holes were too big to ignore
0	the fish was raw in the middle
0	it smells of plastic even after a month
0	i regret buying it
0	the waiter ignored us all night
0	the music drowned out the dialogue
0	it fell apart in the first wash
0	the air conditioning rattled all night
0	i would not recommend it to anyone
0	i can't believe i paid for this
0	i will never order from them again
0	it never works when i need it
0	nothing worked as advertised
0	i couldn't wait for it to end
0	not worth the price
0	the screen cracked on the first day
0	the villain was more silly than scary
0	our table was sticky and the floor was worse
0	the zip broke on our very first hike
0	half the pieces were missing from the box
0	the ending made no sense at all
0	the pool was closed for our whole stay
0	the sauce came from a jar and tasted like it
0	it overheats after ten minutes of use
0	the sequel adds nothing to the story
0	we asked for a quiet room and got one next to the lift
0	the bread was so hard i could not cut it
0	the remote stopped working within a month
0	they charged us for drinks we never had
0	the story drags on long after it should have ended
0	the handle snapped off in my hand"""


def main(output=DEFAULT_OUTPUT):
    rows = {}
    for line in HAND.splitlines():
        label, text = line.split("\t")
        rows[text] = int(label)
    hand = len(rows)
    for maker, per_class in ((plain, 150), (negated, 50), (contrast, 40)):
        for polarity in (1, 0):
            made = 0
            while made < per_class:
                text, label = maker(polarity)
                text = re.sub(r"\s+", " ", text).strip()
                if text not in rows:
                    rows[text] = label
                    made += 1
    items = list(rows.items())
    order = rng.permutation(len(items))
    with open(output, "w", encoding="ascii") as f:
        for i in order:
            text, label = items[i]
            assert text.isascii() and "\t" not in text
            f.write(f"{label}\t{text}\n")
    labels = [label for _, label in items]
    print(len(items), "rows,", hand, "hand-written,", sum(labels), "positive")


if __name__ == "__main__":
    main(*sys.argv[1:2])
