//go:build unix

package scorefile

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"gradsign/engine/nb201"
)

// lock takes the advisory lock of a score file, FILE.lock, for the life of a run: a second run
// on the file (two --resume at once) is refused with the first one's process id, where it
// would write over the other's rows.
func lock(path string) (*os.File, error) {
	f, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		pid, _ := os.ReadFile(path + ".lock")
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s is being written by another gradsign (process %s): wait for it to finish, or give another --out", nb201.Quote(path), strings.TrimSpace(string(pid)))
		}
		return nil, fmt.Errorf("%s: cannot lock it: %v", nb201.Quote(path), err)
	}
	f.Truncate(0)
	f.WriteString(strconv.Itoa(os.Getpid()) + "\n")
	return f, nil
}

// unlock drops the lock and its file.
func unlock(path string, f *os.File) {
	os.Remove(path + ".lock")
	f.Close()
}
