"""Benchmark shops built from the shared public data; see :mod:`bench.shops.build`."""

from .build import DATA, SHOPS, build_shop

__all__ = ["DATA", "SHOPS", "build_shop"]
