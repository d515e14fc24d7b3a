package api

import (
	"net/http"

	"github.com/bitcraps/bitcraps/messages"
)

func (s *Server) mountPeers() {
	svc := s.opts.Services
	// GET /api/v1/peers: the mesh's peer table, without this node.
	s.handle("GET /api/v1/peers", func(w http.ResponseWriter, r *http.Request) error {
		peers, err := askAs[*messages.Peers](svc, meshService, &messages.ListPeers{}, svc.Timeout)
		if err != nil {
			return err
		}
		return writeList(w, meshService, peers.Items, nil)
	})
}
