"""Running the station: its model (ports, capacity), campaign files and their launch
candidates, the CP-SAT scheduler, and consumables/propellant/decay logistics."""
