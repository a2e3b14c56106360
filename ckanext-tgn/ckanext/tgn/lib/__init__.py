"""The plugin-free core of ckanext-tgn: what several plugins (and scripts, tests, benchmarks) use.

Nothing here is a CKAN plugin, so switching a ``tgn_*`` plugin off never breaks another's
import. Plugins import from ``lib``; ``lib`` never imports a plugin sub-package.
"""
