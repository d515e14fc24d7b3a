package transport

import (
	"strings"

	"github.com/bitcraps/bitcraps/messages"
)

// childHealth is what the parent knows of one child.
type childHealth struct {
	configured bool
	reported   bool // has sent a ServiceHealth (or terminated)
	status     messages.HealthStatus
	reason     string
}

func (c childHealth) usable() bool {
	return c.configured && c.reported && (c.status == messages.Healthy || c.status == messages.Degraded)
}

// aggregate is the transport's health from its children's:
//
//   - tcp configured and usable: tcp's status, made Degraded when ble
//     reports Degraded or Critical (asked for but not working). ble
//     Unavailable (mode auto, no adapter) costs nothing: the node runs on TCP.
//   - tcp configured but down: Degraded if ble is usable (BLE only), else
//     Critical: the node reaches nobody.
//   - no tcp (mobile mode): ble Healthy is Healthy; anything less is
//     Degraded (the rule: the API stays up without a radio).
//
// ready is false until every configured child has reported once.
func aggregate(tcp, ble childHealth) (h messages.ServiceHealth, ready bool) {
	h.Service = ServiceName
	if (tcp.configured && !tcp.reported) || (ble.configured && !ble.reported) {
		return h, false
	}
	h.Reason = reasons(tcp, ble)
	switch {
	case tcp.configured && tcp.usable():
		h.Status = tcp.status
		if ble.configured && (ble.status == messages.Degraded || ble.status == messages.Critical) {
			h.Status = messages.Degraded
		}
	case tcp.configured:
		h.Status = messages.Critical
		if ble.usable() {
			h.Status = messages.Degraded
		}
	case ble.reported && ble.status == messages.Healthy:
		h.Status = messages.Healthy
	default:
		h.Status = messages.Degraded
	}
	return h, true
}

func reasons(tcp, ble childHealth) string {
	var parts []string
	if tcp.configured {
		parts = append(parts, "tcp "+tcp.status.String()+": "+tcp.reason)
	} else {
		parts = append(parts, "tcp off (mobile mode)")
	}
	if ble.configured {
		parts = append(parts, "ble "+ble.status.String()+": "+ble.reason)
	} else {
		parts = append(parts, "ble not configured")
	}
	return strings.Join(parts, "; ")
}
