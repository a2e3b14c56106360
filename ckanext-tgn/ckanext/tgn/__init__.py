"""Plugins of the Tarn-et-Garonne Numérique open data platform, one sub-package each.

``lib/`` is the plugin-free core they share; README.md has the map.
"""
