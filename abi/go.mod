module github.com/rpchost/rpchost/abi

go 1.24
