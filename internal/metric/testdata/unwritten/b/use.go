package b

func report(m *a.Metrics) { m.Exported.WithLabelValues("z").Inc() }

func Run(m *a.Metrics) { report(m) }
