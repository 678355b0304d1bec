module integcov.io/testapps/netprobe

go 1.21
