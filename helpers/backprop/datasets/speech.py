"""Synthetic vowel sounds (formant synthesis with numpy) and a numpy STFT spectrogram.

The audio is SYNTHETIC: a glottal-like source (harmonics of a fundamental f0 with a falling spectral tilt)
shaped by three formant resonances at the average frequencies Peterson & Barney (1952) measured for adult male
speakers, scaled per "speaker" (vocal-tract length), with pitch, jitter, vibrato and background noise varied
from a seed. Nothing is recorded or downloaded.
"""
from __future__ import annotations

import numpy as np

SAMPLE_RATE = 8000  # Hz

# Formant frequencies F1, F2, F3 in Hz (Peterson & Barney 1952, averages for men) and bandwidths in Hz.
VOWELS = {
    "a": (730.0, 1090.0, 2440.0),   # as in "father"
    "e": (530.0, 1840.0, 2480.0),   # as in "bed"
    "i": (270.0, 2290.0, 3010.0),   # as in "beet"
    "o": (570.0, 840.0, 2410.0),    # as in "bought"
    "u": (300.0, 870.0, 2240.0),    # as in "boot"
}
BANDWIDTHS = (90.0, 110.0, 170.0)


def _rng(seed) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _resonance(f: np.ndarray, centre: float, bandwidth: float) -> np.ndarray:
    """Magnitude response of a two-pole resonator (1 at 0 Hz, peak near ``centre``)."""
    return centre ** 2 / np.sqrt((centre ** 2 - f ** 2) ** 2 + (bandwidth * f) ** 2)


def synthesize_vowel(vowel: str, f0: float = 120.0, tract_scale: float = 1.0, duration: float = 0.3,
                     noise: float = 0.01, sample_rate: int = SAMPLE_RATE, seed=0,
                     formant_jitter: float = 0.05) -> np.ndarray:
    """One synthetic vowel: a float64 waveform of ``duration`` seconds at ``sample_rate`` Hz, peak amplitude 1.

    ``f0`` is the pitch in Hz, ``tract_scale`` multiplies every formant (about 1.0 for men, 1.15 women,
    1.3 children), ``noise`` is the standard deviation of added white noise relative to the peak, and each
    formant is moved by a random factor within 1 +- ``formant_jitter`` (how differently one speaker says it).
    """
    if vowel not in VOWELS:
        raise ValueError(f"synthesize_vowel: unknown vowel {vowel!r}; choose one of {sorted(VOWELS)}")
    if not 40.0 <= f0 <= 500.0:
        raise ValueError(f"synthesize_vowel: f0 should be a pitch between 40 and 500 Hz, got {f0}")
    if not 0.0 <= formant_jitter < 0.5:
        raise ValueError(f"synthesize_vowel: formant_jitter should lie in [0, 0.5), got {formant_jitter}")
    rng = _rng(seed)
    n = round(duration * sample_rate)
    t = np.arange(n) / sample_rate
    spread = rng.uniform(1.0 - formant_jitter, 1.0 + formant_jitter, size=3)  # speaker/utterance spread
    formants = np.array(VOWELS[vowel]) * tract_scale * spread
    # pitch contour: slight fall over the vowel plus a little vibrato
    pitch = f0 * (1.0 - 0.05 * t / max(duration, 1e-9)) * (1.0 + 0.01 * np.sin(2 * np.pi * 5.0 * t))
    phase = 2 * np.pi * np.cumsum(pitch) / sample_rate
    n_harmonics = int((sample_rate / 2 - 100) // f0)
    k = np.arange(1, n_harmonics + 1)
    freqs = k * f0
    amp = 1.0 / k  # glottal source tilt (-6 dB per octave)
    for centre, bw in zip(formants, BANDWIDTHS):
        amp = amp * _resonance(freqs, centre, bw)
    start = rng.uniform(0, 2 * np.pi, size=n_harmonics)
    wave = (amp[:, None] * np.sin(k[:, None] * phase[None, :] + start[:, None])).sum(axis=0)
    envelope = np.minimum(1.0, np.minimum(t, t[-1] - t) / 0.02)  # 20 ms fade in and out
    wave = wave * envelope
    wave = wave / np.abs(wave).max()
    return wave + noise * rng.standard_normal(n)


def make_vowel_dataset(n_per_vowel: int = 40, seed: int = 0, duration: float = 0.3, noise: float = 0.02,
                       sample_rate: int = SAMPLE_RATE, formant_jitter: float = 0.05):
    """Synthetic utterances of the five vowels by random speakers: (waves (N, samples), labels (N,), vowels).

    Each utterance gets its own pitch (80-260 Hz) and vocal-tract scale (0.9-1.3), so a seed defines a set of
    "speakers"; use different seeds for training and held-out sets. Labels index into the returned vowel list.
    ``noise`` and ``formant_jitter`` (see ``synthesize_vowel``) set how hard the task is: raise them to make
    neighbouring vowels overlap; the defaults keep the data sets of earlier versions unchanged.
    """
    if not isinstance(n_per_vowel, (int, np.integer)) or n_per_vowel < 1:
        raise ValueError(f"make_vowel_dataset: n_per_vowel must be a positive integer, got {n_per_vowel!r}")
    rng = _rng(seed)
    vowels = sorted(VOWELS)
    waves, labels = [], []
    for _ in range(int(n_per_vowel)):
        for label, vowel in enumerate(vowels):
            tract = rng.uniform(0.9, 1.3)
            f0 = rng.uniform(80.0, 140.0) * (tract / 0.9) ** 2   # smaller tracts tend to have higher pitch
            waves.append(synthesize_vowel(vowel, f0=min(f0, 300.0), tract_scale=tract, duration=duration,
                                          noise=noise, sample_rate=sample_rate, seed=rng,
                                          formant_jitter=formant_jitter))
            labels.append(label)
    order = rng.permutation(len(labels))
    return np.stack(waves)[order], np.array(labels, dtype=np.int64)[order], vowels


def spectrogram(wave, frame_length: int = 256, hop: int = 128) -> np.ndarray:
    """Magnitude STFT of a 1-D signal: Hann-windowed frames every ``hop`` samples, |rfft| of each.

    Returns an array (n_frames, frame_length // 2 + 1); frequency bin j is j * sample_rate / frame_length Hz.
    """
    x = np.asarray(wave, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"spectrogram: expected a 1-D signal, got shape {x.shape}")
    if len(x) < frame_length:
        raise ValueError(f"spectrogram: the signal ({len(x)} samples) is shorter than one frame ({frame_length})")
    n_frames = 1 + (len(x) - frame_length) // hop
    idx = hop * np.arange(n_frames)[:, None] + np.arange(frame_length)[None, :]
    window = np.hanning(frame_length + 1)[:-1]  # periodic Hann window
    return np.abs(np.fft.rfft(x[idx] * window, axis=1))
