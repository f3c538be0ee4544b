"""Synthetic vowels: deterministic, the formants land where they should, and the STFT matches an explicit DFT."""
import numpy as np
import pytest
from backprop.datasets import VOWELS, make_vowel_dataset, spectrogram, synthesize_vowel
from backprop.datasets.speech import SAMPLE_RATE


def _explicit_stft(x, L, hop):
    n = np.arange(L)
    window = 0.5 - 0.5 * np.cos(2 * np.pi * n / L)
    basis = np.exp(-2j * np.pi * np.outer(n, np.arange(L // 2 + 1)) / L)
    starts = range(0, len(x) - L + 1, hop)
    return np.array([np.abs((x[s:s + L] * window) @ basis) for s in starts])


@pytest.mark.parametrize("length,L,hop", [(2400, 256, 128), (100, 16, 5), (64, 64, 7), (333, 32, 32)])
def test_spectrogram_matches_explicit_dft(length, L, hop):
    x = np.random.default_rng(length).normal(size=length)
    S = spectrogram(x, L, hop)
    assert S.shape == (1 + (length - L) // hop, L // 2 + 1)
    np.testing.assert_allclose(S, _explicit_stft(x, L, hop), atol=1e-9)


def test_spectrogram_of_a_pure_tone_peaks_at_its_bin():
    t = np.arange(2048) / SAMPLE_RATE
    S = spectrogram(np.sin(2 * np.pi * 1000.0 * t), 256, 128)
    assert np.all(S.argmax(axis=1) == round(1000.0 * 256 / SAMPLE_RATE))


def test_spectrogram_refuses_bad_input():
    with pytest.raises(ValueError, match="1-D"):
        spectrogram(np.zeros((2, 300)))
    with pytest.raises(ValueError, match="shorter than one frame"):
        spectrogram(np.zeros(100), 256)


def test_vowel_is_deterministic_and_normalised():
    a1 = synthesize_vowel("a", f0=110.0, seed=3, noise=0.0)
    a2 = synthesize_vowel("a", f0=110.0, seed=3, noise=0.0)
    assert a1.shape == (int(0.3 * SAMPLE_RATE),)
    np.testing.assert_array_equal(a1, a2)
    assert np.abs(a1).max() == pytest.approx(1.0)
    assert not np.array_equal(a1, synthesize_vowel("a", f0=110.0, seed=4, noise=0.0))


@pytest.mark.parametrize("vowel", sorted(VOWELS))
def test_strongest_low_harmonic_sits_near_the_first_formant(vowel):
    f0 = 100.0
    x = synthesize_vowel(vowel, f0=f0, noise=0.0, duration=1.0, seed=1)
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    freqs = np.fft.rfftfreq(len(x), 1 / SAMPLE_RATE)
    band = (freqs > 150) & (freqs < 1000)
    peak = freqs[band][spectrum[band].argmax()]
    f1 = VOWELS[vowel][0]
    # formants are jittered by up to 5 % and the pitch falls 5 % over the vowel: allow that plus one harmonic
    assert abs(peak - f1) <= 0.1 * f1 + f0


def _first_formant_peak(wave):
    spectrum = np.abs(np.fft.rfft(wave * np.hanning(len(wave))))
    freqs = np.fft.rfftfreq(len(wave), 1 / SAMPLE_RATE)
    band = (freqs > 150) & (freqs < 1000)
    return freqs[band][spectrum[band].argmax()]


def test_formant_jitter_spreads_the_formants_and_its_default_keeps_the_old_sounds():
    peaks = {j: {_first_formant_peak(synthesize_vowel("a", f0=100.0, noise=0.0, duration=1.0, seed=s,
                                                       formant_jitter=j)) for s in range(12)} for j in (0.0, 0.2)}
    assert len(peaks[0.0]) == 1 and len(peaks[0.2]) >= 3       # no spread: one harmonic wins; a wide one: several
    np.testing.assert_array_equal(synthesize_vowel("e", seed=5), synthesize_vowel("e", seed=5, formant_jitter=0.05))
    default, _, _ = make_vowel_dataset(n_per_vowel=2, seed=3)
    explicit, _, _ = make_vowel_dataset(n_per_vowel=2, seed=3, formant_jitter=0.05)
    wider, _, _ = make_vowel_dataset(n_per_vowel=2, seed=3, formant_jitter=0.12)
    np.testing.assert_array_equal(default, explicit)
    assert not np.allclose(default, wider)


def test_dataset_shapes_balance_and_seeds():
    waves, labels, vowels = make_vowel_dataset(n_per_vowel=4, seed=0)
    assert waves.shape == (20, int(0.3 * SAMPLE_RATE)) and vowels == sorted(VOWELS)
    assert np.bincount(labels).tolist() == [4] * 5
    again, labels2, _ = make_vowel_dataset(n_per_vowel=4, seed=0)
    np.testing.assert_array_equal(waves, again)
    np.testing.assert_array_equal(labels, labels2)
    other, _, _ = make_vowel_dataset(n_per_vowel=4, seed=1)
    assert not np.allclose(waves, other)


def test_labels_match_the_sounds_on_new_speakers():
    """A nearest-centroid classifier on log spectra separates the vowels of unseen speakers (labels are right)."""
    def feats(waves):
        return np.stack([np.log(spectrogram(w).mean(axis=0) + 1e-3) for w in waves])
    Xtr, ytr, _ = make_vowel_dataset(n_per_vowel=20, seed=10)
    Xte, yte, _ = make_vowel_dataset(n_per_vowel=10, seed=11)
    Ftr, Fte = feats(Xtr), feats(Xte)
    centroids = np.stack([Ftr[ytr == k].mean(axis=0) for k in range(5)])
    pred = ((Fte[:, None, :] - centroids[None]) ** 2).sum(axis=2).argmin(axis=1)
    assert np.mean(pred == yte) > 0.7


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="unknown vowel"):
        synthesize_vowel("y")
    with pytest.raises(ValueError, match="pitch"):
        synthesize_vowel("a", f0=5.0)
    with pytest.raises(ValueError, match="positive integer"):
        make_vowel_dataset(n_per_vowel=0)
    with pytest.raises(ValueError, match="formant_jitter"):
        synthesize_vowel("a", formant_jitter=0.6)
