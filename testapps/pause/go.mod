module integcov.io/testapps/pause

go 1.21
