package backup

import (
	"context"
	"fmt"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// The environment an s3:// destination reads. Credentials come only from
// the environment, never from flags a process listing shows.
const (
	EnvS3Endpoint  = "BITCRAPS_BACKUP_S3_ENDPOINT"
	EnvS3AccessKey = "BITCRAPS_BACKUP_S3_ACCESS_KEY"
	EnvS3SecretKey = "BITCRAPS_BACKUP_S3_SECRET_KEY"
	EnvS3Region    = "BITCRAPS_BACKUP_S3_REGION"
	EnvS3TLS       = "BITCRAPS_BACKUP_S3_TLS"
)

// S3Config is how to reach an S3-compatible service.
type S3Config struct {
	// Endpoint is host[:port]; default s3.amazonaws.com.
	Endpoint string
	// AccessKey and SecretKey, from BITCRAPS_BACKUP_S3_ACCESS_KEY /
	// _SECRET_KEY or else AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
	AccessKey, SecretKey string
	Region               string
	// TLS is on unless BITCRAPS_BACKUP_S3_TLS=false: credentials and
	// archives cross the network.
	TLS bool
}

// S3ConfigFromEnv reads an S3Config from getenv.
func S3ConfigFromEnv(getenv func(string) string) (S3Config, error) {
	c := S3Config{
		Endpoint:  getenv(EnvS3Endpoint),
		AccessKey: firstSet(getenv(EnvS3AccessKey), getenv("AWS_ACCESS_KEY_ID")),
		SecretKey: firstSet(getenv(EnvS3SecretKey), getenv("AWS_SECRET_ACCESS_KEY")),
		Region:    getenv(EnvS3Region),
		TLS:       true,
	}
	if c.Endpoint == "" {
		c.Endpoint = "s3.amazonaws.com"
	}
	if strings.Contains(c.Endpoint, "/") {
		return c, fmt.Errorf("%s %q: want host[:port], no scheme or path", EnvS3Endpoint, c.Endpoint)
	}
	if raw := getenv(EnvS3TLS); raw != "" {
		tls, err := strconv.ParseBool(raw)
		if err != nil {
			return c, fmt.Errorf("%s %q: want true or false", EnvS3TLS, raw)
		}
		c.TLS = tls
	}
	if c.AccessKey == "" || c.SecretKey == "" {
		return c, fmt.Errorf("no credentials: set %s and %s", EnvS3AccessKey, EnvS3SecretKey)
	}
	return c, nil
}

func firstSet(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// s3Retries bounds minio's retries of one request. Its default, 10 with
// backoff, holds a dead endpoint's answer for tens of seconds; a failed
// backup is named at once and tried again at the next interval.
const s3Retries = 3

// S3 is a bucket (and a key prefix in it) of an S3-compatible service.
type S3 struct {
	client *minio.Client
	bucket string
	prefix string // "" or ending in "/"
}

// NewS3 makes an S3 destination; it does not contact the service.
func NewS3(cfg S3Config, bucket, prefix string) (*S3, error) {
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:      credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:     cfg.TLS,
		Region:     cfg.Region,
		MaxRetries: s3Retries,
	})
	if err != nil {
		return nil, fmt.Errorf("%w: s3://%s: %w", ErrDestination, bucket, err)
	}
	if prefix = strings.Trim(prefix, "/"); prefix != "" {
		prefix += "/"
	}
	return &S3{client: client, bucket: bucket, prefix: prefix}, nil
}

func (s *S3) String() string { return "s3://" + path.Join(s.bucket, s.prefix) }

// Put implements Destination: the upload is confirmed by a HEAD of the
// object, which must have the size sent.
func (s *S3) Put(ctx context.Context, name string, r io.Reader, size int64) error {
	if err := checkName(name); err != nil {
		return err
	}
	key := s.prefix + name
	if _, err := s.client.PutObject(ctx, s.bucket, key, r, size, minio.PutObjectOptions{ContentType: "application/octet-stream"}); err != nil {
		return err
	}
	info, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return fmt.Errorf("confirm %s: %w", key, err)
	}
	if info.Size != size {
		return fmt.Errorf("confirm %s: the service holds %d bytes, %d were sent", key, info.Size, size)
	}
	return nil
}

// List implements Destination.
func (s *S3) List(ctx context.Context) ([]Object, error) {
	var out []Object
	for o := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix}) {
		if o.Err != nil {
			return nil, o.Err
		}
		name := strings.TrimPrefix(o.Key, s.prefix)
		if strings.Contains(name, "/") || !strings.HasSuffix(name, Suffix) {
			continue
		}
		out = append(out, Object{Name: name, Size: o.Size, Modified: o.LastModified.UTC()})
	}
	slices.SortFunc(out, func(a, b Object) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// Open implements Destination.
func (s *S3) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	key := s.prefix + name
	// GetObject is lazy: Stat makes a missing key an error here.
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err == nil {
		_, err = obj.Stat()
	}
	if err != nil {
		if minio.ToErrorResponse(err).Code == "NoSuchKey" {
			return nil, fmt.Errorf("%w: %s in %s", ErrNotFound, name, s)
		}
		return nil, err
	}
	return obj, nil
}

// Remove implements Destination.
func (s *S3) Remove(ctx context.Context, name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	return s.client.RemoveObject(ctx, s.bucket, s.prefix+name, minio.RemoveObjectOptions{})
}
