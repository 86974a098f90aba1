package reunite

// RaceEnabled lets the external tests of the package see raceEnabled.
const RaceEnabled = raceEnabled
