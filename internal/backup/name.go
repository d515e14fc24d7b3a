package backup

import (
	"fmt"
	"strings"
	"time"
)

// Suffix ends every archive's name: a tar stream, zstd-compressed, age-encrypted.
const Suffix = ".tar.zst.age"

const (
	namePrefix = "bitcraps-"
	nameStamp  = "20060102T150405.000Z"
	// peerChars of the peer id name the node: enough to tell a fleet's
	// nodes apart in one bucket, short enough to read.
	peerChars = 16
)

// Name is the archive name of a backup of peer taken at created: sortable
// by time for one peer, and the node it belongs to is visible in a listing.
func Name(peer string, created time.Time) string {
	return namePrefix + shortPeer(peer) + "-" + created.UTC().Format(nameStamp) + Suffix
}

func shortPeer(peer string) string {
	if len(peer) > peerChars {
		return peer[:peerChars]
	}
	return peer
}

// ParseName reads the peer prefix and the creation time from an archive
// name; names that are not backups answer an error.
func ParseName(name string) (peerPrefix string, created time.Time, err error) {
	rest, ok := strings.CutPrefix(name, namePrefix)
	if ok {
		rest, ok = strings.CutSuffix(rest, Suffix)
	}
	i := strings.LastIndexByte(rest, '-')
	if !ok || i <= 0 {
		return "", time.Time{}, fmt.Errorf("%q is not a backup name (want %sPEER-%s%s)", name, namePrefix, nameStamp, Suffix)
	}
	created, err = time.Parse(nameStamp, rest[i+1:])
	if err != nil {
		return "", time.Time{}, fmt.Errorf("%q is not a backup name: time %q: %w", name, rest[i+1:], err)
	}
	return rest[:i], created.UTC(), nil
}

// OfPeer says whether name is a backup of peer.
func OfPeer(name, peer string) bool {
	p, _, err := ParseName(name)
	return err == nil && p == shortPeer(peer)
}
