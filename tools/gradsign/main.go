// Command gradsign scores networks with GradSign from the command line: the architectures of
// NAS-Bench-201, NAS-Bench-101, DARTS (NAS-Bench-301, SWAP) and the NDS spaces, and ONNX models.
//
//	gradsign score [flags]     score one architecture (see gradsign score -h)
//	gradsign eval [flags]      score many, rank every proxy against the benchmark (gradsign eval -h)
//	gradsign search [flags]    NAS on the benchmark's tables, vanilla or GradSign-assisted
//
// Errors go to stderr as one line, with exit status 2 for bad usage and 1 for anything else.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"gradsign/assets"
	"gradsign/engine/cifar"
)

const usage = `gradsign: GradSign zero-cost scores of NAS-Bench-201, NAS-Bench-101, DARTS and NDS
architectures and of ONNX models

usage:
  gradsign score [flags]   score one architecture; gradsign score -h lists the flags
  gradsign eval [flags]    score many and rank the proxies against the benchmark; -h for flags
  gradsign search [flags]  NAS on NAS-Bench-201's tables, vanilla or GradSign-assisted; -h for flags
`

// usageError marks an error in what the user typed, as opposed to a failure while running.
type usageError struct{ error }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "score":
		err = score(args[1:], stdout, stderr)
	case "eval":
		err = eval(args[1:], stdout, stderr)
	case "search":
		err = runSearch(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		err = usageError{fmt.Errorf("unknown command %q: try gradsign score", args[0])}
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, new(usageError)):
		fmt.Fprintln(stderr, "gradsign:", printable(err.Error()))
		return 2
	default:
		fmt.Fprintln(stderr, "gradsign:", printable(err.Error()))
		return 1
	}
}

// isTerminal reports whether f is a terminal (for the progress bar).
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// parseFlags parses a subcommand's flags: -h prints usage and the flags to stdout (and returns
// flag.ErrHelp); a bad flag becomes a one-line usage error.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer, usage string) error {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			fmt.Fprintln(stdout, usage+"\n\nflags:")
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return err
		}
		return usageError{fmt.Errorf("%v (see %s -h)", err, fs.Name())}
	}
	return nil
}

// loadImages returns the bundled images of a format, or those of a CIFAR binary batch file (at
// most all 60,000 images of CIFAR), and says which: "bundled cifar10" or the file's name and
// SHA-256.
func loadImages(format cifar.Format, path string) (*cifar.Set, string, error) {
	if path == "" {
		return assets.CIFAR(format), "bundled " + format.Name, nil
	}
	raw, err := readCapped(path, maxCIFARBytes, "a CIFAR binary batch (CIFAR holds 60,000 images)")
	if err != nil {
		return nil, "", err
	}
	set, err := cifar.Read(raw, format)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %v", path, err)
	}
	return set, fmt.Sprintf("%s sha256:%s", filepath.Base(path), sha256Hex(raw)), nil
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
