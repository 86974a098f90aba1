package psi

import "io"

// newSessionWithRand lets tests in this package inject a seeded randomness
// source; the exported constructors always use crypto/rand.
func newInitiatorWithRand(cfg Config, set Set, r io.Reader) (*Initiator, error) {
	s, err := newSession(RoleInitiator, cfg, set, r)
	if err != nil {
		return nil, err
	}
	return &Initiator{s}, nil
}

func newResponderWithRand(cfg Config, set Set, r io.Reader) (*Responder, error) {
	s, err := newSession(RoleResponder, cfg, set, r)
	if err != nil {
		return nil, err
	}
	return &Responder{s}, nil
}
