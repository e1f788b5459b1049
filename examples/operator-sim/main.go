// Command operator-sim is a small stand-in for a Kubernetes operator's
// memory behaviour (informer caches, unstructured JSON decoding, OpenAPI
// discovery, a reconcile loop). It serves net/http/pprof and a Prometheus
// text /metrics endpoint so heaplens has a real target. Standard library only.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"
)

func main() {
	cfg := simConfig{}
	listen := flag.String("listen", "127.0.0.1:0", "address to serve pprof and /metrics on (loopback)")
	flag.StringVar(&cfg.mode, "mode", "plateau", "plateau | leak | spike | sawtooth, or a benchmark mode: "+benchmarkModes)
	flag.Int64Var(&cfg.seed, "seed", 1, "random seed")
	flag.IntVar(&cfg.listObjects, "list-objects", 300, "objects returned by the initial informer list")
	flag.IntVar(&cfg.maxObjects, "max-objects", 600, "cache size at which watch events stop adding objects")
	flag.IntVar(&cfg.objectSize, "object-size", 12, "env entries per container (object size knob)")
	flag.IntVar(&cfg.watchPerTick, "watch-rate", 3, "watch events per reconcile tick")
	flag.DurationVar(&cfg.tick, "tick", 100*time.Millisecond, "reconcile period")
	flag.DurationVar(&cfg.syncDelay, "sync-delay", 3*time.Second, "initialisation time before the informer list")
	openAPI := flag.String("openapi-cache", "on", "on | off: memory-cached discovery client")
	flag.DurationVar(&cfg.spikeAt, "spike-at", 20*time.Second, "spike mode: when the burst starts")
	flag.DurationVar(&cfg.spikeFor, "spike-for", 5*time.Second, "spike mode: how long the burst is held")
	flag.IntVar(&cfg.spikeObjects, "spike-objects", 1500, "spike mode: objects in the burst")
	flag.DurationVar(&cfg.sawtoothPeriod, "sawtooth-period", 4*time.Second, "sawtooth mode: work queue flush period")
	flag.IntVar(&cfg.leakPerReconcile, "leak-rate", 4, "leak mode: objects retained per reconcile")
	flag.IntVar(&cfg.startupCatalogMiB, "startup-catalog-mib", 6, "catalog loaded once at start-up and kept (every mode)")
	flag.IntVar(&cfg.b.workingSetMiB, "working-set-mib", 64, "slow-leak: size of the churning session store")
	flag.Float64Var(&cfg.b.churnPerTick, "churn", 0.03, "slow-leak: share of the sessions replaced per tick")
	flag.IntVar(&cfg.b.leakBytesPerS, "leak-bytes-per-sec", 24<<10, "slow-leak, leak-stops, spread-leak: bytes retained per second")
	flag.DurationVar(&cfg.b.warmup, "warmup", 60*time.Second, "warm-cache: time to fill the cache")
	flag.IntVar(&cfg.b.cacheMiB, "cache-mib", 40, "warm-cache: the cache's cap")
	flag.DurationVar(&cfg.b.batchPeriod, "batch-period", 30*time.Second, "batch: time between batch jobs")
	flag.DurationVar(&cfg.b.batchHold, "batch-hold", 8*time.Second, "batch: how long a job holds its data")
	flag.IntVar(&cfg.b.batchMiB, "batch-mib", 40, "batch: data a job holds")
	flag.DurationVar(&cfg.b.leakStopAt, "leak-stop-at", 90*time.Second, "leak-stops: when the retaining stops")
	flag.DurationVar(&cfg.b.releaseOver, "release-over", 150*time.Second, "release: the backlog is drained by this time")
	flag.IntVar(&cfg.b.backlogMiB, "backlog-mib", 60, "release: the backlog loaded at start-up")
	flag.IntVar(&cfg.b.carryPerTooth, "carry-per-tooth", 12, "sawtooth-leak: work items kept at each flush")
	flag.DurationVar(&cfg.b.keyBurstPeriod, "key-burst-period", 25*time.Second, "index-log: time between bursts of new keys")
	flag.IntVar(&cfg.b.keysPerBurst, "keys-per-burst", 12000, "index-log: new keys per burst")
	flag.IntVar(&cfg.b.logCompactAt, "log-compact-at", 6000, "index-log: log entries that trigger a compaction")
	memRate := flag.Int("mem-profile-rate", 0, "runtime.MemProfileRate (0 keeps Go's default, 512 KiB)")
	flag.Parse()

	switch cfg.mode {
	case "plateau", "leak", "spike", "sawtooth":
	default:
		if !isBenchmarkMode(cfg.mode) {
			fmt.Fprintf(os.Stderr, "operator-sim: unknown --mode %q (plateau, leak, spike, sawtooth, %s)\n", cfg.mode, benchmarkModes)
			os.Exit(2)
		}
	}
	switch *openAPI {
	case "on":
		cfg.openAPICache = true
	case "off":
	default:
		fmt.Fprintf(os.Stderr, "operator-sim: --openapi-cache must be on or off\n")
		os.Exit(2)
	}
	if *memRate > 0 {
		runtime.MemProfileRate = *memRate
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(os.Stderr, "operator-sim: %v\n", err)
		os.Exit(1)
	}
	http.HandleFunc("/metrics", serveMetrics)
	srv := &http.Server{}
	go func() { _ = srv.Serve(ln) }()
	// The one line a harness waits for.
	fmt.Printf("listening on http://%s\n", ln.Addr())

	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { runOperator(cfg, stop); close(done) }()

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	close(stop)
	<-done
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
}
