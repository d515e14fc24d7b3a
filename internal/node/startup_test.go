package node

import (
	"context"
	"errors"
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// A start that fails after the HTTP API bound its port names the setting
// at fault and gives the HTTP port back, so the next attempt can use it.
func TestFailedStartNamesTheSettingAndFreesTheHTTPPort(t *testing.T) {
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	httpPort := freeTCPPort(t)
	cfg := testConfig(t)
	cfg.HTTPAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(httpPort))
	cfg.Port = held.Addr().(*net.TCPAddr).Port
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n, err := Start(ctx, Options{Config: cfg, Version: "test"})
	if n != nil {
		t.Fatal("Start returned a node with its error")
	}
	var se *StartError
	if !errors.As(err, &se) || !errors.Is(err, ErrStartup) || !errors.Is(err, syscall.EADDRINUSE) || se.Setting != "--port" {
		t.Fatalf("Start: %v (%T), want a StartError for --port wrapping EADDRINUSE", err, err)
	}
	want := "--port " + strconv.Itoa(cfg.Port) + ": address already in use on 127.0.0.1:" + strconv.Itoa(cfg.Port) +
		" (another bitcraps node? set --port or BITCRAPS_PORT)"
	if err.Error() != want {
		t.Fatalf("message %q\nwant %q", err, want)
	}
	l, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		t.Fatalf("the failed start kept the HTTP port: %v", err)
	}
	l.Close()
}

func freeTCPPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
