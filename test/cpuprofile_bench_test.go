package test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
)

// The benchmarks measure where a round's CPU goes by sampling the whole
// process (every in-process node and the driver) with the Go CPU profiler
// while rounds run, and summing the samples whose stack passes through an
// Ed25519 sign or verify. That measures every signature, wherever it is
// made (bft messages, envelopes, bets, ledger ops, certificates, audit
// entries), without counting call sites by hand or touching the code
// under test. The profiler samples at 100 Hz, so a run needs a few
// seconds of CPU for the shares to mean much; its own cost is about 1%.

// cpuShares is CPU time by where it was spent.
type cpuShares struct {
	total, sign, verify time.Duration
}

// cpuSampler profiles the process from start until stop.
type cpuSampler struct {
	buf bytes.Buffer
	on  bool
}

// startCPU starts the profiler; an error (another profile is running, for
// example under go test -cpuprofile) leaves the sampler off.
func startCPU() (*cpuSampler, error) {
	s := &cpuSampler{}
	if err := pprof.StartCPUProfile(&s.buf); err != nil {
		return s, fmt.Errorf("start cpu profile: %w", err)
	}
	s.on = true
	return s, nil
}

// stop ends the profile and sums its samples.
func (s *cpuSampler) stop() (cpuShares, error) {
	if !s.on {
		return cpuShares{}, errors.New("cpu profile was not running")
	}
	pprof.StopCPUProfile()
	s.on = false
	return parseCPUProfile(s.buf.Bytes())
}

// sigKind says whether a function is an Ed25519 sign or verify (crypto/ed25519
// or the FIPS module under it): "sign", "verify" or "".
func sigKind(fn string) string {
	var rest string
	for _, pkg := range []string{"crypto/ed25519.", "crypto/internal/fips140/ed25519."} {
		if r, ok := strings.CutPrefix(fn, pkg); ok {
			rest = r
		}
	}
	for part := range strings.SplitSeq(strings.ToLower(rest), ".") {
		switch {
		case strings.HasPrefix(part, "verify"):
			return "verify"
		case strings.HasPrefix(part, "sign"):
			return "sign"
		}
	}
	return ""
}

// profile is the part of a pprof profile (profile.proto) the shares need.
type profile struct {
	strs      []string
	funcs     map[uint64]int64    // function id → name index
	locations map[uint64][]uint64 // location id → function ids, inlined ones too
	samples   []sample
}

type sample struct {
	locations []uint64
	values    []int64
}

// parseCPUProfile decodes a gzipped CPU profile and sums its CPU time.
func parseCPUProfile(gz []byte) (cpuShares, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return cpuShares{}, fmt.Errorf("cpu profile: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return cpuShares{}, fmt.Errorf("cpu profile: %w", err)
	}
	p := &profile{funcs: map[uint64]int64{}, locations: map[uint64][]uint64{}}
	if err := p.decode(raw); err != nil {
		return cpuShares{}, fmt.Errorf("cpu profile: %w", err)
	}
	return p.shares(), nil
}

// shares sums the CPU nanoseconds (the second sample value) by kind; a
// stack that both signs and verifies (none does today) counts as verify.
func (p *profile) shares() cpuShares {
	var s cpuShares
	for _, smp := range p.samples {
		if len(smp.values) < 2 {
			continue
		}
		ns := time.Duration(smp.values[1])
		s.total += ns
		kind := ""
		for _, loc := range smp.locations {
			for _, fn := range p.locations[loc] {
				if i := p.funcs[fn]; i >= 0 && int(i) < len(p.strs) {
					if k := sigKind(p.strs[i]); k != "" && kind != "verify" {
						kind = k
					}
				}
			}
		}
		switch kind {
		case "sign":
			s.sign += ns
		case "verify":
			s.verify += ns
		}
	}
	return s
}

// The field numbers of profile.proto.
const (
	fieldSample     = 2
	fieldLocation   = 4
	fieldFunction   = 5
	fieldStrings    = 6
	fieldSampleLocs = 1
	fieldSampleVals = 2
	fieldLocID      = 1
	fieldLocLine    = 4
	fieldLineFunc   = 1
	fieldFuncID     = 1
	fieldFuncName   = 2
)

func (p *profile) decode(b []byte) error {
	return eachField(b, func(num protowire.Number, typ protowire.Type, v uint64, body []byte) error {
		var err error
		switch {
		case typ != protowire.BytesType:
		case num == fieldStrings:
			p.strs = append(p.strs, string(body))
		case num == fieldSample:
			var s sample
			err = eachField(body, func(num protowire.Number, typ protowire.Type, v uint64, body []byte) error {
				switch num {
				case fieldSampleLocs:
					s.locations = appendVarints(s.locations, typ, v, body)
				case fieldSampleVals:
					for _, u := range appendVarints(nil, typ, v, body) {
						s.values = append(s.values, int64(u))
					}
				}
				return nil
			})
			p.samples = append(p.samples, s)
		case num == fieldLocation:
			err = p.decodeLocation(body)
		case num == fieldFunction:
			var id uint64
			name := int64(-1)
			err = eachField(body, func(num protowire.Number, _ protowire.Type, v uint64, _ []byte) error {
				switch num {
				case fieldFuncID:
					id = v
				case fieldFuncName:
					name = int64(v)
				}
				return nil
			})
			p.funcs[id] = name
		}
		return err
	})
}

func (p *profile) decodeLocation(b []byte) error {
	var id uint64
	var funcs []uint64
	err := eachField(b, func(num protowire.Number, typ protowire.Type, v uint64, body []byte) error {
		switch {
		case num == fieldLocID:
			id = v
		case num == fieldLocLine && typ == protowire.BytesType:
			return eachField(body, func(num protowire.Number, _ protowire.Type, v uint64, _ []byte) error {
				if num == fieldLineFunc {
					funcs = append(funcs, v)
				}
				return nil
			})
		}
		return nil
	})
	p.locations[id] = funcs
	return err
}

// appendVarints reads a repeated varint field, packed (bytes) or not.
func appendVarints(dst []uint64, typ protowire.Type, v uint64, body []byte) []uint64 {
	if typ == protowire.VarintType {
		return append(dst, v)
	}
	for len(body) > 0 {
		u, n := protowire.ConsumeVarint(body)
		if n < 0 {
			return dst
		}
		dst = append(dst, u)
		body = body[n:]
	}
	return dst
}

var errBadProfile = errors.New("malformed profile")

// eachField calls f for every field of message b: varints in v,
// length-delimited fields in body; fixed-width fields are skipped.
func eachField(b []byte, f func(num protowire.Number, typ protowire.Type, v uint64, body []byte) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return errBadProfile
		}
		b = b[n:]
		var v uint64
		var body []byte
		switch typ {
		case protowire.VarintType:
			v, n = protowire.ConsumeVarint(b)
		case protowire.BytesType:
			body, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return errBadProfile
		}
		b = b[n:]
		if err := f(num, typ, v, body); err != nil {
			return err
		}
	}
	return nil
}

// loopbackRTT is the median of rounds one-byte round trips over a loopback
// TCP connection: the network's own part of a message hop, with no Noise,
// framing or actors.
func loopbackRTT(rounds int) (time.Duration, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("loopback listen: %w", err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_, _ = io.Copy(c, c)
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return 0, fmt.Errorf("loopback dial: %w", err)
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		return 0, fmt.Errorf("loopback deadline: %w", err)
	}
	took := make([]time.Duration, 0, rounds)
	one := []byte{1}
	for range rounds {
		start := time.Now()
		if _, err := c.Write(one); err != nil {
			return 0, fmt.Errorf("loopback write: %w", err)
		}
		if _, err := io.ReadFull(c, one); err != nil {
			return 0, fmt.Errorf("loopback read: %w", err)
		}
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	return took[len(took)/2], nil
}
