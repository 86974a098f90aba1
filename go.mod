module github.com/reunite-psi/reunite

go 1.26.0

require (
	filippo.io/edwards25519 v1.2.0
	github.com/cloudflare/circl v1.6.5
	github.com/mozillazg/go-pinyin v0.21.0
	github.com/stretchr/testify v1.12.1
	golang.org/x/crypto v0.59.0
	golang.org/x/sys v0.50.0
	golang.org/x/text v0.44.0
)

require (
	github.com/bwesterb/go-ristretto v1.2.4 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)
