"""Plugins of the Tarn-et-Garonne Numérique open data platform, one sub-package each."""
