// Package ble is the transport child that carries envelopes over Bluetooth
// LE, so players in one room can play with no network at all. Each node
// runs a GATT service with our own 128-bit UUID and an RX (write) and TX
// (notify) characteristic, advertises it, scans for others and connects to
// them; every link then runs the same Noise XX handshake (internal/link) and
// carries the same envelope frames as TCP.
//
// BLE moves at most ATT_MTU-3 bytes per write, so Noise messages are cut
// into fragments (internal/fragment) and rebuilt on the far side, keyed by
// (link, message), with duplicates dropped, reordering undone and a timeout
// for messages that never complete.
//
// The radio sits behind the small Radio interface: on Linux it is go-ble's
// HCI device (OpenHCI); in tests it is MemoryAir, an in-memory radio with
// seeded loss, duplication and reordering. Where no adapter exists the actor
// says so in its health report and the node carries on over TCP.
package ble
