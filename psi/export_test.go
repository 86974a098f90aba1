package psi

import "io"

// newSessionWithRand lets tests in this package inject a seeded randomness
// source; NewSession always uses crypto/rand.
func newInitiatorWithRand(cfg Config, set Set, r io.Reader) (*Session, error) {
	cfg.Role = RoleInitiator
	return newSession(cfg, set, r)
}

func newResponderWithRand(cfg Config, set Set, r io.Reader) (*Session, error) {
	cfg.Role = RoleResponder
	return newSession(cfg, set, r)
}

// newInitiator and newResponder create sessions of one role from a
// Config that may leave the role unset, as most tests' configurations do.
func newInitiator(cfg Config, set Set) (*Session, error) {
	cfg.Role = RoleInitiator
	return NewSession(cfg, set)
}

func newResponder(cfg Config, set Set) (*Session, error) {
	cfg.Role = RoleResponder
	return NewSession(cfg, set)
}
