package deploy_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/internal/config"
	"github.com/bitcraps/bitcraps/internal/node"
	"github.com/bitcraps/bitcraps/test/harness"
)

// onLoopback keeps a manifest's config but moves every listener to free
// loopback ports and the data to a temp dir.
func onLoopback(t *testing.T, cfg config.Config, join ...string) config.Config {
	t.Helper()
	cfg.DataDir = t.TempDir()
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.BindAddr = "127.0.0.1"
	for _, p := range []*int{&cfg.Port, &cfg.GossipPort} {
		var err error
		if *p, err = harness.FreePort(); err != nil {
			t.Fatal(err)
		}
	}
	cfg.Join = join
	return cfg
}

func startNode(t *testing.T, cfg config.Config) *node.Node {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n, err := node.Start(ctx, node.Options{Config: cfg, Version: "deploy-test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := n.Stop(stop); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	if err := n.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	return n
}

// The StatefulSet's own environment boots a real node (server profile,
// secrets, BLE off), its probe paths answer 200, and every metric the
// alerts and the dashboard query is in the /metrics of real nodes after
// the traffic that creates it: a peer joined, a table created, a bad
// handshake.
func TestManifestNodeServesProbesAndEveryQueriedMetric(t *testing.T) {
	cfgA := onLoopback(t, resolve(t, statefulSetEnv(t)))
	a := startNode(t, cfgA)
	baseA := "http://" + a.HTTPAddr()
	c := nodeContainer(t)
	for _, pr := range []*probe{c.StartupProbe, c.LivenessProbe, c.ReadinessProbe} {
		if code := request(t, http.MethodGet, baseA+pr.HTTPGet.Path, ""); code != http.StatusOK {
			t.Errorf("probe %s: status %d on a ready node, want 200", pr.HTTPGet.Path, code)
		}
	}
	if code := request(t, http.MethodPost, baseA+"/api/v1/tables", ""); code != http.StatusUnauthorized {
		t.Errorf("POST without the Secret's token: %d, want 401", code)
	}

	// A second pod of the same StatefulSet: same secrets, same PoW floor.
	cfgB := onLoopback(t, resolve(t, statefulSetEnv(t)), net.JoinHostPort(cfgA.BindAddr, strconv.Itoa(cfgA.GossipPort)))
	b := startNode(t, cfgB)
	waitPeer(t, baseA)
	body := `{"min_players":2,"max_players":4,"bankroll":100000000,"min_bet":1000000,"max_bet":10000000}`
	if code := request(t, http.MethodPost, baseA+"/api/v1/tables", body, "Bearer "+cfgA.APIToken); code != http.StatusCreated {
		t.Fatalf("create table with the Secret's token: %d, want 201", code)
	}
	badHandshake(t, net.JoinHostPort(cfgA.BindAddr, strconv.Itoa(cfgA.Port)))

	wanted := queriedMetrics(t)
	missing := pollMissing(t, wanted, baseA, "http://"+b.HTTPAddr())
	for _, m := range missing {
		t.Errorf("%s queries %s: no such metric on a real node", wanted[m], m)
	}
}

// queriedMetrics maps each metric name in the rules and dashboard to one
// place that queries it.
func queriedMetrics(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for expr, where := range promQL(t) {
		for _, name := range promIdent.FindAllString(expr, -1) {
			out[name] = where
		}
	}
	if len(out) < 15 {
		t.Fatalf("only %d metric names found in the queries: the scan is broken", len(out))
	}
	return out
}

// pollMissing scrapes the nodes until every wanted metric is exposed or a
// deadline passes (counters with labels appear once first incremented, and
// the traffic above is asynchronous); it returns what is still missing.
func pollMissing(t *testing.T, wanted map[string]string, bases ...string) []string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		have := map[string]bool{}
		for _, base := range bases {
			for name := range exposedNames(t, base+"/metrics") {
				have[name] = true
			}
		}
		var missing []string
		for name := range wanted {
			if !have[name] {
				missing = append(missing, name)
			}
		}
		if len(missing) == 0 || time.Now().After(deadline) {
			slices.Sort(missing)
			return missing
		}
		time.Sleep(100 * time.Millisecond) // poll interval, bounded by the deadline
	}
}

// exposedNames reads the metric families of one scrape from their # TYPE
// lines; a histogram or summary also answers to its _bucket, _sum and
// _count series.
func exposedNames(t *testing.T, url string) map[string]bool {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("scrape %s: %v", url, err)
	}
	defer resp.Body.Close()
	names := map[string]bool{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 4 || f[0] != "#" || f[1] != "TYPE" {
			continue
		}
		names[f[2]] = true
		if f[3] == "histogram" || f[3] == "summary" {
			for _, s := range []string{"_bucket", "_sum", "_count"} {
				names[f[2]+s] = true
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("scrape %s: %v", url, err)
	}
	return names
}

func request(t *testing.T, method, url, body string, auth ...string) int {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for _, a := range auth {
		req.Header.Set("Authorization", a)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

type peerState struct {
	State string `json:"state"`
}

// waitPeer polls until the node lists a live peer.
func waitPeer(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/api/v1/peers")
		if err != nil {
			t.Fatal(err)
		}
		var peers []peerState
		err = json.NewDecoder(resp.Body).Decode(&peers)
		resp.Body.Close()
		if err == nil && slices.Contains(peers, peerState{State: "alive"}) {
			return
		}
		time.Sleep(100 * time.Millisecond) // poll interval, bounded by the deadline
	}
	t.Fatalf("%s lists no live peer after 30 s", base)
}

// badHandshake sends bytes that are no Noise handshake to the mesh port.
func badHandshake(t *testing.T, addr string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("not a noise handshake\x00\x00\x00\x00")); err != nil {
		t.Fatal(err)
	}
}
