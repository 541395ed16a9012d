module gradsign

go 1.26.0

require (
	github.com/hack-pad/go-indexeddb v0.3.2
	golang.org/x/sys v0.50.0
	gonum.org/v1/gonum v0.17.0
)

require github.com/hack-pad/safejs v0.1.0 // indirect
