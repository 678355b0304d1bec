module integcov.io/bench/agent

go 1.26
