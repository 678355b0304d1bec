module integcov.io/agent/flush

// The lowest Go its API allows: runtime/coverage (WriteCountersDir) is new in Go 1.20. This module has no
// dependencies, so importing it adds nothing to a program's module graph and never raises its go line.
go 1.20
