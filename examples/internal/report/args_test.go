package report

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNoArguments(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		says string
	}{
		{"none", nil, -1, "(nothing)"},
		{"help", []string{"-h"}, 0, "usage: go run ./examples/demo"},
		{"unknown flag", []string{"-x"}, 2, "-x"},
		{"argument", []string{"file.csv"}, 2, `unexpected argument "file.csv"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			assert.Equal(t, tt.code, NoArguments("demo", tt.args, &stderr))
			if tt.code < 0 {
				assert.Empty(t, stderr.String(), "going on says nothing")
				return
			}
			assert.Contains(t, stderr.String(), tt.says)
		})
	}
}
