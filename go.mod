module gradsign

go 1.26.0

require (
	github.com/hack-pad/go-indexeddb v0.3.2
	github.com/schollz/progressbar/v3 v3.19.0
	golang.org/x/sys v0.50.0
	gonum.org/v1/gonum v0.17.0
)

require (
	github.com/hack-pad/safejs v0.1.0 // indirect
	github.com/mitchellh/colorstring v0.0.0-20190213212951-d06e56a500db // indirect
	github.com/rivo/uniseg v0.4.7 // indirect
	golang.org/x/term v0.28.0 // indirect
)
