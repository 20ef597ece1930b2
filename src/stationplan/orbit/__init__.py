"""The orbital core: time scales, root finding, element sets, SGP4 propagation and its
backends, orbit-plane geometry, space weather and drag decay. Imports nothing above it."""
