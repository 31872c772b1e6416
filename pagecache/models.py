"""No models: this module exists so that Django sends this app ``post_migrate``, which
creates the database caches' tables (pagecache/tables.py)."""
