//go:build !linux

package ble

import "fmt"

// OpenHCI has no implementation off Linux: go-ble's HCI backend is Linux
// only, so every other platform has "no adapter".
func OpenHCI(name string) (Radio, error) {
	return nil, fmt.Errorf("%w: the HCI backend needs Linux", ErrNoAdapter)
}
