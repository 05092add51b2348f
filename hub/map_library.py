"""Serves the Leaflet map library from its Python package.

The hub's maps must work where the browser cannot reach a CDN (a police
network, an air-gapped review machine), so Leaflet ships as an installed
dependency (XStatic-Leaflet) and the hub serves its files itself.
"""
from __future__ import annotations

from flask import Blueprint
from xstatic.pkg import leaflet

assets = Blueprint("map_library", __name__, static_folder=leaflet.BASE_DIR,
                   static_url_path="/assets/leaflet")
