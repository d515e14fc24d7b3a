package ble

import (
	"context"
	"errors"
	"strings"
)

// Radio is the narrow view of a Bluetooth LE device the actor needs. The
// Linux implementation wraps go-ble's ble.Device (see OpenHCI); MemoryAir
// provides one for tests. Methods may be called from several goroutines.
type Radio interface {
	// Address identifies this radio to others (a MAC on Linux).
	Address() string
	// Advertise publishes the bitcraps GATT service under name and hands
	// every central that connects to accept, until ctx ends.
	Advertise(ctx context.Context, name string, accept func(Link)) error
	// Scan reports bitcraps advertisements (possibly repeatedly) until ctx
	// ends.
	Scan(ctx context.Context, found func(Advert)) error
	// Dial connects to the advertiser at addr as a central, exchanges the
	// MTU and subscribes to its TX characteristic.
	Dial(ctx context.Context, addr string) (Link, error)
	// Close releases the device.
	Close() error
}

// Advert is one bitcraps advertisement seen by a scan.
type Advert struct {
	Addr string
	Name string
}

// Link is one GATT connection, seen the same from either side: fragments
// out (writes or notifications) and fragments in.
type Link interface {
	RemoteAddr() string
	// MTU is the negotiated ATT MTU; a fragment is at most MTU-3 bytes.
	MTU() int
	// Send transmits one fragment, blocking while the radio is busy.
	Send(fragment []byte) error
	// Incoming delivers received fragments; it is never closed: watch Done.
	Incoming() <-chan []byte
	// Done is closed once the link is down.
	Done() <-chan struct{}
	Close() error
}

var (
	// ErrNoAdapter means there is no usable Bluetooth adapter here.
	ErrNoAdapter = errors.New("ble: no bluetooth adapter")
	// ErrLinkClosed means the link went down.
	ErrLinkClosed = errors.New("ble: link closed")
)

// noAdapterMessages are how the HCI layer says "there is nothing to open"
// (DEPENDENCIES.md): no Bluetooth socket family in this kernel or
// container, or no controller.
var noAdapterMessages = []string{
	"address family not supported",
	"no devices available",
	"no such device",
	"operation not permitted", // no CAP_NET_ADMIN/CAP_NET_RAW: unusable here
	"permission denied",
}

// isNoAdapter reports whether an HCI open error means "no usable adapter".
func isNoAdapter(err error) bool {
	msg := strings.ToLower(err.Error())
	for _, m := range noAdapterMessages {
		if strings.Contains(msg, m) {
			return true
		}
	}
	return false
}
