"""Exports: GeoPackage (everything) and the XLSX ledger (台账)."""
