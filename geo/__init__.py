"""Geography: regions and their boundaries, coordinate systems, geodesic measures."""
