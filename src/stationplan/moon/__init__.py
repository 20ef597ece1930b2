"""The Moon: DE421 ephemerides, the lunar body-fixed frame, site lighting and visibility."""
