"""Data shipped or generated for the case studies of chapter 05 (all offline).

`load_corpus` reads a small original English text that ships with the package (see README.md for its source
and license); `speech` synthesises vowel sounds with numpy (source-filter formant synthesis, clearly synthetic)
and computes their spectrograms; `dates` generates dates written in words with their ISO form (synthetic
"translation" pairs); `load_reviews` reads short review sentences written for this course, labelled positive or
negative (not real reviews; its words come from `sentiment.tokenize`).
"""
from .dates import ISO_CHARS, date_to_words, make_date_pairs
from .sentiment import REVIEWS_FILE, load_reviews
from .speech import VOWELS, make_vowel_dataset, spectrogram, synthesize_vowel
from .text import CORPUS_FILE, build_vocab, decode, encode, load_corpus

__all__ = ["load_corpus", "build_vocab", "encode", "decode", "CORPUS_FILE",
           "VOWELS", "synthesize_vowel", "make_vowel_dataset", "spectrogram",
           "make_date_pairs", "date_to_words", "ISO_CHARS",
           "load_reviews", "REVIEWS_FILE"]
