//go:build linux

package ble

import (
	"context"
	"errors"
	"fmt"
	"sync"

	goble "github.com/go-ble/ble"
	"github.com/go-ble/ble/linux"
)

// OpenHCI opens the first HCI adapter through go-ble (a raw HCI socket:
// root or CAP_NET_ADMIN+CAP_NET_RAW, and an adapter bluetoothd does not
// hold). A missing adapter, or a kernel without Bluetooth sockets, is
// ErrNoAdapter.
func OpenHCI(name string) (Radio, error) {
	dev, err := linux.NewDeviceWithName(name)
	if err != nil {
		if isNoAdapter(err) {
			return nil, fmt.Errorf("%w: %v", ErrNoAdapter, err)
		}
		return nil, fmt.Errorf("ble: open hci: %w", err)
	}
	return &hciRadio{dev: dev, links: map[string]*hciPeripheralLink{}}, nil
}

// hciDevice is go-ble's ble.Device plus the address every backend has.
type hciDevice interface {
	goble.Device
	Address() goble.Addr
}

// hciRadio adapts a go-ble device to Radio.
type hciRadio struct {
	dev   hciDevice
	mu    sync.Mutex
	links map[string]*hciPeripheralLink // centrals connected to us, by address
}

func (r *hciRadio) Address() string { return r.dev.Address().String() }

func (r *hciRadio) Close() error { return r.dev.Stop() }

// Advertise installs the GATT service and advertises it. Writes to RX and
// subscriptions to TX from one central make up one link.
func (r *hciRadio) Advertise(ctx context.Context, name string, accept func(Link)) error {
	svc := goble.NewService(goble.MustParse(ServiceUUID))
	rx := svc.NewCharacteristic(goble.MustParse(RXCharUUID))
	rx.HandleWrite(goble.WriteHandlerFunc(func(req goble.Request, _ goble.ResponseWriter) {
		r.linkFor(req.Conn(), accept).deliver(req.Data())
	}))
	tx := svc.NewCharacteristic(goble.MustParse(TXCharUUID))
	tx.HandleNotify(goble.NotifyHandlerFunc(func(req goble.Request, n goble.Notifier) {
		l := r.linkFor(req.Conn(), accept)
		l.setNotifier(n)
		<-n.Context().Done() // go-ble ends the subscription by cancelling it
	}))
	if err := r.dev.SetServices([]*goble.Service{svc}); err != nil {
		return fmt.Errorf("ble: install gatt service: %w", err)
	}
	return r.dev.AdvertiseNameAndServices(ctx, name, goble.MustParse(ServiceUUID))
}

func (r *hciRadio) linkFor(c goble.Conn, accept func(Link)) *hciPeripheralLink {
	addr := c.RemoteAddr().String()
	r.mu.Lock()
	l, ok := r.links[addr]
	if !ok {
		l = newPeripheralLink(c)
		r.links[addr] = l
	}
	r.mu.Unlock()
	if !ok {
		go func() {
			<-l.Done()
			r.mu.Lock()
			if r.links[addr] == l {
				delete(r.links, addr)
			}
			r.mu.Unlock()
		}()
		accept(l)
	}
	return l
}

// Scan reports advertisers of the bitcraps service.
func (r *hciRadio) Scan(ctx context.Context, found func(Advert)) error {
	want := goble.MustParse(ServiceUUID)
	err := r.dev.Scan(ctx, true, func(a goble.Advertisement) {
		if goble.Contains(a.Services(), want) {
			found(Advert{Addr: a.Addr().String(), Name: a.LocalName()})
		}
	})
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// Dial connects as a central and wires RX/TX.
func (r *hciRadio) Dial(ctx context.Context, addr string) (Link, error) {
	cln, err := r.dev.Dial(ctx, goble.NewAddr(addr))
	if err != nil {
		return nil, fmt.Errorf("ble: dial %s: %w", addr, err)
	}
	l, err := newCentralLink(cln)
	if err != nil {
		_ = cln.CancelConnection()
		return nil, fmt.Errorf("ble: set up link to %s: %w", addr, err)
	}
	return l, nil
}

// incomingDepth bounds fragments waiting for the reader; a notification
// arriving when it is full is dropped (counted as loss by reassembly
// timeouts) because go-ble's event loop must not block.
const incomingDepth = 256

// hciCentralLink is our side of a connection we dialed.
type hciCentralLink struct {
	cln goble.Client
	rx  *goble.Characteristic
	mtu int
	in  chan []byte
}

func newCentralLink(cln goble.Client) (*hciCentralLink, error) {
	mtu, err := cln.ExchangeMTU(goble.MaxMTU)
	if err != nil {
		mtu = goble.DefaultMTU // the peer kept the default
	}
	p, err := cln.DiscoverProfile(true)
	if err != nil {
		return nil, fmt.Errorf("discover profile: %w", err)
	}
	rx := p.FindCharacteristic(goble.NewCharacteristic(goble.MustParse(RXCharUUID)))
	tx := p.FindCharacteristic(goble.NewCharacteristic(goble.MustParse(TXCharUUID)))
	if rx == nil || tx == nil {
		return nil, errors.New("peer lacks the bitcraps RX/TX characteristics")
	}
	l := &hciCentralLink{cln: cln, rx: rx, mtu: mtu, in: make(chan []byte, incomingDepth)}
	if err := cln.Subscribe(tx, false, func(b []byte) {
		select {
		case l.in <- append([]byte(nil), b...):
		default:
		}
	}); err != nil {
		return nil, fmt.Errorf("subscribe to tx: %w", err)
	}
	return l, nil
}

func (l *hciCentralLink) RemoteAddr() string      { return l.cln.Addr().String() }
func (l *hciCentralLink) MTU() int                { return l.mtu }
func (l *hciCentralLink) Incoming() <-chan []byte { return l.in }
func (l *hciCentralLink) Done() <-chan struct{}   { return l.cln.Disconnected() }
func (l *hciCentralLink) Close() error            { return l.cln.CancelConnection() }

// Send writes with response: the ATT acknowledgement is the flow control.
func (l *hciCentralLink) Send(frag []byte) error {
	if err := l.cln.WriteCharacteristic(l.rx, frag, false); err != nil {
		return fmt.Errorf("%w: write rx: %v", ErrLinkClosed, err)
	}
	return nil
}

// hciPeripheralLink is our side of a connection a central made to us.
type hciPeripheralLink struct {
	conn     goble.Conn
	in       chan []byte
	mu       sync.Mutex
	notifier goble.Notifier
	ready    chan struct{} // closed once the central subscribed to TX
	once     sync.Once
}

func newPeripheralLink(c goble.Conn) *hciPeripheralLink {
	return &hciPeripheralLink{conn: c, in: make(chan []byte, incomingDepth), ready: make(chan struct{})}
}

func (l *hciPeripheralLink) deliver(b []byte) {
	select {
	case l.in <- append([]byte(nil), b...): // blocking the ATT server here would stall the write response
	default:
	}
}

func (l *hciPeripheralLink) setNotifier(n goble.Notifier) {
	l.mu.Lock()
	l.notifier = n
	l.mu.Unlock()
	l.once.Do(func() { close(l.ready) })
}

func (l *hciPeripheralLink) RemoteAddr() string      { return l.conn.RemoteAddr().String() }
func (l *hciPeripheralLink) MTU() int                { return l.conn.TxMTU() }
func (l *hciPeripheralLink) Incoming() <-chan []byte { return l.in }
func (l *hciPeripheralLink) Done() <-chan struct{}   { return l.conn.Disconnected() }
func (l *hciPeripheralLink) Close() error            { return l.conn.Close() }

// Send notifies once the central has subscribed to TX.
func (l *hciPeripheralLink) Send(frag []byte) error {
	select {
	case <-l.ready:
	case <-l.conn.Disconnected():
		return ErrLinkClosed
	}
	l.mu.Lock()
	n := l.notifier
	l.mu.Unlock()
	if _, err := n.Write(frag); err != nil {
		return fmt.Errorf("%w: notify tx: %v", ErrLinkClosed, err)
	}
	return nil
}
