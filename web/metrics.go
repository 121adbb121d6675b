package web

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the Prometheus series of the server, in a registry of its own so that
// several servers in one test process do not collide.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "agentconsole_http_requests_total",
			Help: "HTTP requests by method, route pattern and status."}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "agentconsole_http_request_duration_seconds",
			Help: "HTTP request latency by method and route pattern.", Buckets: prometheus.DefBuckets}, []string{"method", "route"}),
	}
	m.registry.MustRegister(m.requests, m.latency, goCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// goCollector is the default Go series plus the runtime's CPU accounting
// (go_cpu_classes_*_cpu_seconds_total): with process_cpu_seconds_total it gives the
// collector's share of the server's CPU, which make bench reports per scenario. The
// idle mark workers are a class of their own: they only use processors the server
// would leave idle.
func goCollector() prometheus.Collector {
	return collectors.NewGoCollector(collectors.WithGoCollectorRuntimeMetrics(
		collectors.GoRuntimeMetricsRule{Matcher: regexp.MustCompile(`^/cpu/classes/(gc/total|gc/mark/idle|total):cpu-seconds$`)}))
}

// observe counts a request. The labels outlive the request inside the registry, so they
// must not be Fiber's zero-copy strings (c.Method() points into a buffer the next request
// reuses: the series turned to garbage and the registry then refused them with a 500).
// The method is mapped onto constants (that also bounds the label to real methods) and
// the route pattern is copied.
func (m *metrics) observe(method, route string, status int, d time.Duration) {
	method, route = methodLabel(method), strings.Clone(route)
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(method, route).Observe(d.Seconds())
}

// httpMethods are the methods metrics name; anything else is "OTHER".
var httpMethods = []string{fiber.MethodGet, fiber.MethodHead, fiber.MethodPost, fiber.MethodPut, fiber.MethodPatch,
	fiber.MethodDelete, fiber.MethodConnect, fiber.MethodOptions, fiber.MethodTrace}

// methodLabel returns the constant spelling of a request method (never the request's bytes).
func methodLabel(method string) string {
	for _, m := range httpMethods {
		if m == method {
			return m
		}
	}
	return "OTHER"
}

func (m *metrics) handler() fiber.Handler {
	return adaptor.HTTPHandler(promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}))
}
