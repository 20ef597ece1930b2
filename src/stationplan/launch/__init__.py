"""When and how a vehicle gets to the station: launch sites, vehicles, in-plane launch
windows, rendezvous profiles, maneuver plans and their validation on real launches."""
