package logging

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// ErrBadLine is a log line that breaks a rule of this package.
var ErrBadLine = errors.New("log line breaks the format")

// ParseLine reads one JSON log line into its top-level fields, and fails
// on a line that is not one JSON object or that repeats a key anywhere in
// it (encoding/json would silently keep the last one, as most log tools do).
func ParseLine(line []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if err := noRepeatedKeys(dec); err != nil {
		return nil, fmt.Errorf("%w: %v: %s", ErrBadLine, err, line)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: more than one value: %s", ErrBadLine, line)
	}
	var fields map[string]any
	if err := json.Unmarshal(line, &fields); err != nil {
		return nil, fmt.Errorf("%w: %v: %s", ErrBadLine, err, line)
	}
	return fields, nil
}

// noRepeatedKeys reads one JSON value from dec and fails if an object in it
// has a key twice.
func noRepeatedKeys(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		seen := map[string]bool{}
		for dec.More() {
			key, err := dec.Token()
			if err != nil {
				return err
			}
			k, _ := key.(string)
			if seen[k] {
				return fmt.Errorf("key %q repeated", k)
			}
			seen[k] = true
			if err := noRepeatedKeys(dec); err != nil {
				return err
			}
		}
		_, err = dec.Token() // '}'
		return err
	case json.Delim('['):
		for dec.More() {
			if err := noRepeatedKeys(dec); err != nil {
				return err
			}
		}
		_, err = dec.Token() // ']'
		return err
	}
	return nil
}
