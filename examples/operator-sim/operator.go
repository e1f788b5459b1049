package main

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"sync"
	"time"
)

// unstructuredObject is what a dynamic client hands to an operator:
// JSON decoded into generic maps.
type unstructuredObject map[string]interface{}

// decodeUnstructured decodes JSON into generic maps (the seed's
// "JSON Deserialization" component: objectInterface, unquote, literalInterface).
func decodeUnstructured(data []byte) unstructuredObject {
	var obj map[string]interface{}
	if err := json.Unmarshal(data, &obj); err != nil {
		panic(err)
	}
	return obj
}

// informerCache mimics a client-go informer store filled by an initial
// list and kept current by watch events.
type informerCache struct {
	mu    sync.Mutex
	items map[string]unstructuredObject
	keys  []string // every key in items, for updates to existing objects
}

func newInformerCache() *informerCache {
	return &informerCache{items: map[string]unstructuredObject{}}
}

// reflectorList is the initial "list" of an informer: every object of the
// kind, unmarshalled at once, no pagination.
func (c *informerCache) reflectorList(rng *rand.Rand, kind string, count, size int) {
	for i := 0; i < count; i++ {
		obj := decodeUnstructured(generateManifest(rng, kind, i, size))
		key := fmt.Sprintf("%s/%d", kind, i)
		c.mu.Lock()
		c.items[key] = obj
		c.keys = append(c.keys, key)
		c.mu.Unlock()
	}
}

// watchEvent applies one watch event: an add growing the cache up to
// maxItems, then updates replacing cached objects (the cache stays at its cap).
func (c *informerCache) watchEvent(rng *rand.Rand, kind string, next *int, maxItems, size int) {
	c.mu.Lock()
	n := len(c.items)
	var key string
	if n < maxItems {
		key = fmt.Sprintf("%s/%d", kind, *next)
		c.keys = append(c.keys, key)
		*next++
	} else {
		key = c.keys[rng.Intn(len(c.keys))]
	}
	c.mu.Unlock()
	obj := decodeUnstructured(generateManifest(rng, kind, *next, size))
	c.mu.Lock()
	c.items[key] = obj
	c.mu.Unlock()
}

func (c *informerCache) snapshot(limit int) []unstructuredObject {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]unstructuredObject, 0, limit)
	for _, v := range c.items {
		if len(out) == limit {
			break
		}
		out = append(out, v)
	}
	return out
}

// openAPISchemas holds the discovery documents. With the memory cache on,
// they are fetched once; off, every reconcile refetches and keeps the last few.
type openAPISchemas struct {
	cached  bool
	doc     []byte
	parsed  []unstructuredObject
	history int
}

func (s *openAPISchemas) fetchOpenAPISchema() unstructuredObject {
	if s.cached && len(s.parsed) > 0 {
		return s.parsed[0]
	}
	obj := decodeUnstructured(s.doc)
	s.parsed = append(s.parsed, obj)
	if len(s.parsed) > s.history {
		s.parsed = s.parsed[1:]
	}
	return obj
}

// deepCopyJSON copies generic JSON values, as runtime.DeepCopyJSON does.
func deepCopyJSON(v interface{}) interface{} {
	switch t := v.(type) {
	case map[string]interface{}:
		out := make(map[string]interface{}, len(t))
		for k, x := range t {
			out[k] = deepCopyJSON(x)
		}
		return out
	case unstructuredObject:
		return deepCopyJSON(map[string]interface{}(t))
	case []interface{}:
		out := make([]interface{}, len(t))
		for i, x := range t {
			out[i] = deepCopyJSON(x)
		}
		return out
	default:
		return t
	}
}

// reconcileHistory is the leak of --mode=leak: every reconcile appends a deep
// copy of the objects it saw and nothing ever trims it.
var reconcileHistory []interface{}

// recordReconcileHistory retains objects forever (the deliberate leak).
func recordReconcileHistory(objs []unstructuredObject) {
	for _, o := range objs {
		reconcileHistory = append(reconcileHistory, deepCopyJSON(o))
	}
}

// renderBundleManifests builds desired state for a bundle: decode, copy,
// re-encode, all garbage once the reconcile ends.
func renderBundleManifests(rng *rand.Rand, objs []unstructuredObject) int {
	total := 0
	for _, o := range objs {
		c := deepCopyJSON(o)
		b, _ := json.Marshal(c)
		total += len(b)
	}
	return total
}

// bundleBurst is held during --mode=spike's burst and released after it.
var bundleBurst []unstructuredObject

// processBundleBurst unpacks a large batch of bundles at once (the spike).
func processBundleBurst(rng *rand.Rand, count, size int) {
	for i := 0; i < count; i++ {
		bundleBurst = append(bundleBurst, decodeUnstructured(generateManifest(rng, "Bundle", i, size)))
	}
}

// workQueue accumulates items between flushes in --mode=sawtooth.
var workQueue []unstructuredObject

// enqueueWorkItems adds decoded items to the work queue.
func enqueueWorkItems(rng *rand.Rand, count, size int) {
	for i := 0; i < count; i++ {
		workQueue = append(workQueue, decodeUnstructured(generateManifest(rng, "WorkItem", i, size)))
	}
}

type simConfig struct {
	mode              string
	seed              int64
	listObjects       int
	maxObjects        int
	objectSize        int
	watchPerTick      int
	tick              time.Duration
	syncDelay         time.Duration
	openAPICache      bool
	spikeAt           time.Duration
	spikeFor          time.Duration
	spikeObjects      int
	sawtoothPeriod    time.Duration
	leakPerReconcile  int
	startupCatalogMiB int
	b                 behaviourConfig
}

// runOperator drives the simulated operator until stop closes.
func runOperator(cfg simConfig, stop <-chan struct{}) {
	rng := rand.New(rand.NewSource(cfg.seed))
	start := time.Now()
	cache := newInformerCache()
	schemas := &openAPISchemas{cached: cfg.openAPICache, doc: generateSchemaDocument(rng, 400), history: 4}
	schemas.fetchOpenAPISchema()
	loadStartupCatalog(rng, cfg.startupCatalogMiB)

	// Initialisation: small until the caches sync.
	select {
	case <-time.After(cfg.syncDelay):
	case <-stop:
		return
	}
	cache.reflectorList(rng, "ClusterExtension", cfg.listObjects/2, cfg.objectSize)
	cache.reflectorList(rng, "ClusterCatalog", cfg.listObjects/2, cfg.objectSize)
	next := cfg.listObjects
	var bench *benchmarkBehaviour
	if isBenchmarkMode(cfg.mode) {
		bench = newBenchmarkBehaviour(rng, cfg)
	}

	ticker := time.NewTicker(cfg.tick)
	defer ticker.Stop()
	var lastFlush time.Time
	spikeDone := false
	for {
		select {
		case <-stop:
			return
		case now := <-ticker.C:
			elapsed := now.Sub(start)
			for i := 0; i < cfg.watchPerTick; i++ {
				cache.watchEvent(rng, "ClusterExtension", &next, cfg.maxObjects, cfg.objectSize)
			}
			seen := cache.snapshot(8)
			schemas.fetchOpenAPISchema()
			renderBundleManifests(rng, seen)
			switch cfg.mode {
			case "leak":
				recordReconcileHistory(seen[:min(len(seen), cfg.leakPerReconcile)])
			case "spike":
				if !spikeDone && elapsed >= cfg.spikeAt && bundleBurst == nil {
					processBundleBurst(rng, cfg.spikeObjects, cfg.objectSize)
				}
				if bundleBurst != nil && elapsed >= cfg.spikeAt+cfg.spikeFor {
					bundleBurst = nil
					spikeDone = true
				}
			case "sawtooth", "sawtooth-leak":
				enqueueWorkItems(rng, cfg.watchPerTick*2, cfg.objectSize)
				if now.Sub(lastFlush) >= cfg.sawtoothPeriod {
					if cfg.mode == "sawtooth-leak" {
						retainFailedItems(workQueue, cfg.b.carryPerTooth)
					}
					workQueue = nil
					lastFlush = now
				}
			}
			if bench != nil {
				bench.step(rng, elapsed)
			}
		}
	}
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}
