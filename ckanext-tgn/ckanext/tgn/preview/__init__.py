"""Table and map previews: which tables ckanext-xloader loads into the DataStore, and when."""
