//go:build !unix

package scorefile

import "os"

// lock has no advisory file locks to take here (not a Unix system): runs on one file are not
// kept apart.
func lock(path string) (*os.File, error) { return nil, nil }

func unlock(path string, f *os.File) {}
