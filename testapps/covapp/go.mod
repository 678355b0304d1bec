module integcov.io/testapps/covapp

go 1.21
