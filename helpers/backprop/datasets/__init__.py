"""Data shipped or generated for the case studies of chapter 05 (all offline).

`load_corpus` reads a small original English text that ships with the package (see README.md for its source
and license); `speech` synthesises vowel sounds with numpy (source-filter formant synthesis, clearly synthetic)
and computes their spectrograms.
"""
from .speech import VOWELS, make_vowel_dataset, spectrogram, synthesize_vowel
from .text import CORPUS_FILE, build_vocab, decode, encode, load_corpus

__all__ = ["load_corpus", "build_vocab", "encode", "decode", "CORPUS_FILE",
           "VOWELS", "synthesize_vowel", "make_vowel_dataset", "spectrogram"]
