package audit

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

// tailWindow is enough of the file's end to hold a torn line and the last
// complete one, both bounded by maxLineBytes.
const tailWindow = 2 * (maxLineBytes + 1)

// recoverTail cuts bytes after the last newline (an append a crash left
// unfinished, never acknowledged because acknowledgement follows fsync of
// the whole line) and returns the last complete line, nil for an empty log.
func recoverTail(f *os.File) (last []byte, torn int64, err error) {
	st, err := f.Stat()
	if err != nil {
		return nil, 0, fmt.Errorf("audit: stat log: %w", err)
	}
	size := st.Size()
	n := min(size, tailWindow)
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, size-n); err != nil && err != io.EOF {
		return nil, 0, fmt.Errorf("audit: read log tail: %w", err)
	}
	end := bytes.LastIndexByte(buf, '\n')
	if end < 0 && n < size {
		return nil, 0, fmt.Errorf("%w: no line break in the last %d bytes", ErrCorrupt, n)
	}
	torn = n - int64(end+1)
	if torn > 0 {
		if err := cut(f, size-torn); err != nil {
			return nil, 0, err
		}
	}
	if end < 0 {
		return nil, torn, nil
	}
	start := bytes.LastIndexByte(buf[:end], '\n') + 1
	if start == 0 && n < size {
		return nil, 0, fmt.Errorf("%w: last line longer than %d bytes", ErrCorrupt, maxLineBytes)
	}
	return buf[start:end], torn, nil
}

func cut(f *os.File, size int64) error {
	if err := f.Truncate(size); err != nil {
		return fmt.Errorf("audit: cut torn tail: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("audit: sync after cutting torn tail: %w", err)
	}
	return nil
}
