package backup

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
)

// Destination is where archives go: a directory or an S3-compatible bucket.
type Destination interface {
	// String names the destination as the operator wrote it.
	String() string
	// Put stores the archive name from r (size bytes) and returns only
	// once the destination confirms it holds all of it.
	Put(ctx context.Context, name string, r io.Reader, size int64) error
	// List lists the archives (names ending in Suffix).
	List(ctx context.Context) ([]Object, error)
	// Open reads one archive; ErrNotFound when there is none.
	Open(ctx context.Context, name string) (io.ReadCloser, error)
	// Remove deletes one archive.
	Remove(ctx context.Context, name string) error
}

// Object is one archive at a destination.
type Object struct {
	Name     string    `json:"name"`
	Size     int64     `json:"size"`
	Modified time.Time `json:"modified"`
}

// ParseDestination reads a destination as the operator writes it: a
// directory path, or s3://BUCKET[/PREFIX] with the endpoint and the
// credentials from getenv (see S3Config).
func ParseDestination(s string, getenv func(string) string) (Destination, error) {
	rest, isS3 := strings.CutPrefix(s, "s3://")
	if !isS3 {
		if strings.TrimSpace(s) == "" || strings.Contains(s, "://") {
			return nil, fmt.Errorf("%w: %q: want a directory or s3://bucket/prefix", ErrDestination, s)
		}
		return Dir(s), nil
	}
	bucket, prefix, _ := strings.Cut(rest, "/")
	if bucket == "" {
		return nil, fmt.Errorf("%w: %q: no bucket (want s3://bucket/prefix)", ErrDestination, s)
	}
	cfg, err := S3ConfigFromEnv(getenv)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrDestination, s, err)
	}
	return NewS3(cfg, bucket, prefix)
}

// ParseDestinations parses each of specs.
func ParseDestinations(specs []string, getenv func(string) string) ([]Destination, error) {
	if len(specs) == 0 {
		return nil, fmt.Errorf("%w: no destination (--to / --backup-to / BITCRAPS_BACKUP_TO)", ErrDestination)
	}
	out := make([]Destination, 0, len(specs))
	for _, s := range specs {
		d, err := ParseDestination(s, getenv)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}
