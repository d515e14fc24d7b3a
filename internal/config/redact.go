package config

// Redacted returns every setting by flag name with secrets masked, for the
// startup log and the audit trail's "config loaded" entry.
func (c Config) Redacted() map[string]string {
	out := make(map[string]string, len(settings))
	for i := range settings {
		s := &settings[i]
		out[s.flag] = s.shown(s.get(&c))
	}
	return out
}
