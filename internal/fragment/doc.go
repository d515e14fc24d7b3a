// Package fragment splits frames into pieces that fit one Bluetooth LE ATT
// write or notification and puts them back together on the other side.
//
// BLE moves at most ATT_MTU-3 bytes per write (20 bytes before an MTU
// exchange), while a Noise frame carrying an envelope is hundreds of bytes.
// The radio may lose a piece when a link drops, repeat one after a retry, or
// deliver pieces out of order across reconnects, so reassembly is keyed by
// (peer, message), tolerates duplicates and reordering, and gives up on a
// message after a timeout; a Sequencer then hands complete messages on in
// the sender's order, because Noise decrypts them only in order. The package is pure: time is an argument, there
// are no goroutines, and it knows nothing about radios.
package fragment
