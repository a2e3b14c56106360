"""What several test modules share: paths, data builders, harnesses, HTTP helpers.

Test modules import from here, never from another test module nor from a ``conftest.py``;
fixtures stay in the ``conftest.py`` files and build on these helpers.
"""
