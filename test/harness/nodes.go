package harness

import (
	"slices"
	"sync"
)

// Nodes is a cluster's node processes as fault tests see them: a restart
// replaces one while load goroutines read them, so every access is locked.
type Nodes struct {
	mu    sync.Mutex
	nodes []*Node
}

// NewNodes holds nodes.
func NewNodes(nodes []*Node) *Nodes { return &Nodes{nodes: slices.Clone(nodes)} }

// Snapshot is the nodes now.
func (n *Nodes) Snapshot() []*Node {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.nodes)
}

// Node is node i now.
func (n *Nodes) Node(i int) *Node {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.nodes[i]
}

// Set replaces node i (after a restart).
func (n *Nodes) Set(i int, node *Node) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.nodes[i] = node
}

// Len is the number of nodes.
func (n *Nodes) Len() int { return len(n.nodes) }
