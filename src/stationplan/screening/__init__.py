"""Conjunction screening: sieve, time of closest approach, probability of collision, CDM."""
