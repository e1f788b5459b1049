package main

// Memory behaviours whose truth is known by construction, for heaplens'
// labelled verdict benchmark (bench/verdicts.mjs). Each one leaks, or holds
// bounded memory, through a function of its own name, so the benchmark can
// check both the verdict and which function the suspects name. They run on
// top of the operator's ordinary reconcile work, which stays the background.

import (
	"fmt"
	"math/rand"
	"time"
)

// benchmarkModes are the modes this file adds, as --mode lists them.
const benchmarkModes = "slow-leak | warm-cache | sawtooth-leak | batch | leak-stops | release | spread-leak | index-log"

func isBenchmarkMode(mode string) bool {
	switch mode {
	case "slow-leak", "warm-cache", "sawtooth-leak", "batch", "leak-stops", "release", "spread-leak", "index-log":
		return true
	}
	return false
}

// behaviourConfig holds the knobs of the benchmark modes (flags in main.go).
type behaviourConfig struct {
	workingSetMiB  int           // slow-leak: size of the churning session store
	churnPerTick   float64       // slow-leak: share of the sessions replaced per tick
	leakBytesPerS  int           // slow-leak, spread-leak: bytes retained per second
	warmup         time.Duration // warm-cache: time to fill the cache
	cacheMiB       int           // warm-cache: the cache's cap
	batchPeriod    time.Duration // batch: time between batch jobs
	batchHold      time.Duration // batch: how long a job holds its data
	batchMiB       int           // batch: data a job holds
	leakStopAt     time.Duration // leak-stops: when the retaining stops
	releaseOver    time.Duration // release: the backlog is drained over this time
	backlogMiB     int           // release: the backlog loaded at start-up
	carryPerTooth  int           // sawtooth-leak: items kept at each flush
	keyBurstPeriod time.Duration // index-log: time between bursts of new keys
	keysPerBurst   int           // index-log: new keys per burst
	logCompactAt   int           // index-log: log entries that trigger compaction
}

// startupCatalog is loaded once at start-up and kept for the process's
// life: a one-time allocation that a first GC makes visible, never growth.
var startupCatalog [][]byte

// loadStartupCatalog fills the start-up catalog (every mode).
func loadStartupCatalog(rng *rand.Rand, mib int) {
	for total := 0; total < mib<<20; {
		b := make([]byte, 2048+rng.Intn(4096))
		startupCatalog = append(startupCatalog, b)
		total += len(b)
	}
}

// ---- slow-leak: a small leak under a large, noisy working set ----

// sessionStore is the working set: sessions of random size, a share of
// which is replaced every tick (its sampled size wanders a lot).
type sessionStore struct{ sessions [][]byte }

// refreshSessions replaces `count` random sessions with new ones.
func refreshSessions(rng *rand.Rand, s *sessionStore, count int) {
	for i := 0; i < count; i++ {
		s.sessions[rng.Intn(len(s.sessions))] = make([]byte, 1024+rng.Intn(14*1024))
	}
}

func newSessionStore(rng *rand.Rand, mib int) *sessionStore {
	s := &sessionStore{}
	for total := 0; total < mib<<20; {
		b := make([]byte, 1024+rng.Intn(14*1024))
		s.sessions = append(s.sessions, b)
		total += len(b)
	}
	return s
}

// auditLog is the slow leak: one record per request, never trimmed.
var auditLog [][]byte

// retainAuditRecord keeps a record of about `bytes` bytes forever (the leak).
func retainAuditRecord(rng *rand.Rand, bytes int) {
	auditLog = append(auditLog, make([]byte, bytes/2+rng.Intn(bytes+1)))
}

// ---- warm-cache: fills, then stays at its cap ----

type responseCache struct {
	entries map[int][]byte
	bytes   int
	next    int
}

// warmResponseCache adds responses until the cache holds capBytes, then
// replaces random entries: bounded churn after the warm-up.
func warmResponseCache(rng *rand.Rand, c *responseCache, addBytes, capBytes int) {
	for added := 0; added < addBytes; {
		b := make([]byte, 4096+rng.Intn(24*1024))
		added += len(b)
		if c.bytes+len(b) > capBytes && len(c.entries) > 0 {
			victim := rng.Intn(c.next)
			if old, ok := c.entries[victim]; ok {
				c.bytes -= len(old)
				delete(c.entries, victim)
			} else {
				continue // a key already evicted: try another
			}
		}
		c.entries[c.next] = b
		c.bytes += len(b)
		c.next++
	}
}

// ---- sawtooth-leak: a queue that resets, but keeps some items each time ----

// failedItems are work items kept for a retry that never happens.
var failedItems []interface{}

// retainFailedItems keeps a deep copy of some of the queue's items at each flush (the leak).
func retainFailedItems(items []unstructuredObject, count int) {
	for i := 0; i < count && i < len(items); i++ {
		failedItems = append(failedItems, deepCopyJSON(items[i]))
	}
}

// ---- batch: periodic jobs that allocate large data and free it ----

var batchData [][]byte

// runBatchJob loads a batch's data (freed when the job ends).
func runBatchJob(rng *rand.Rand, mib int) {
	for total := 0; total < mib<<20; {
		b := make([]byte, 8192+rng.Intn(120*1024))
		batchData = append(batchData, b)
		total += len(b)
	}
}

// ---- leak-stops: retains for a while, then stops (the load ended) ----

var replayEvents [][]byte

// retainReplayEvents keeps every replayed event (retained, never released).
func retainReplayEvents(rng *rand.Rand, bytes int) {
	replayEvents = append(replayEvents, make([]byte, bytes/2+rng.Intn(bytes+1)))
}

// ---- release: a backlog loaded at start, drained gradually ----

var backlog [][]byte

// loadBacklog loads the backlog that drainBacklog releases.
func loadBacklog(rng *rand.Rand, mib int) {
	for total := 0; total < mib<<20; {
		b := make([]byte, 2048+rng.Intn(12*1024))
		backlog = append(backlog, b)
		total += len(b)
	}
}

// drainBacklog releases the backlog down to `keep` entries.
func drainBacklog(keep int) {
	for len(backlog) > keep {
		backlog[len(backlog)-1] = nil
		backlog = backlog[:len(backlog)-1]
	}
}

// ---- spread-leak: twenty small call sites under one caller ----

type usageRecord struct {
	tenant  int
	payload []byte
}

var tenantUsage [20][]usageRecord

// trackTenantUsage records per-tenant usage through twenty helpers, each
// allocating at a call site of its own (noinline keeps them apart): twenty
// small leaks that are together one leak of their caller.
func trackTenantUsage(rng *rand.Rand, bytes int) {
	// Uneven shares: helper k gets (k%5+1) parts of 60.
	part := bytes / 60
	tenantUsage00(rng, part*1)
	tenantUsage01(rng, part*2)
	tenantUsage02(rng, part*3)
	tenantUsage03(rng, part*4)
	tenantUsage04(rng, part*5)
	tenantUsage05(rng, part*1)
	tenantUsage06(rng, part*2)
	tenantUsage07(rng, part*3)
	tenantUsage08(rng, part*4)
	tenantUsage09(rng, part*5)
	tenantUsage10(rng, part*1)
	tenantUsage11(rng, part*2)
	tenantUsage12(rng, part*3)
	tenantUsage13(rng, part*4)
	tenantUsage14(rng, part*5)
	tenantUsage15(rng, part*1)
	tenantUsage16(rng, part*2)
	tenantUsage17(rng, part*3)
	tenantUsage18(rng, part*4)
	tenantUsage19(rng, part*5)
}

//go:noinline
func tenantUsage00(rng *rand.Rand, n int) {
	tenantUsage[0] = append(tenantUsage[0], usageRecord{tenant: 0, payload: make([]byte, n/2+rng.Intn(n+1))})
}

//go:noinline
func tenantUsage01(rng *rand.Rand, n int) {
	tenantUsage[1] = append(tenantUsage[1], usageRecord{tenant: 1, payload: make([]byte, n/2+rng.Intn(n+1))})
}

//go:noinline
func tenantUsage02(rng *rand.Rand, n int) {
	tenantUsage[2] = append(tenantUsage[2], usageRecord{tenant: 2, payload: make([]byte, n/2+rng.Intn(n+1))})
}

//go:noinline
func tenantUsage03(rng *rand.Rand, n int) {
	tenantUsage[3] = append(tenantUsage[3], usageRecord{tenant: 3, payload: make([]byte, n/2+rng.Intn(n+1))})
}

//go:noinline
func tenantUsage04(rng *rand.Rand, n int) {
	tenantUsage[4] = append(tenantUsage[4], usageRecord{tenant: 4, payload: make([]byte, n/2+rng.Intn(n+1))})
}

//go:noinline
func tenantUsage05(rng *rand.Rand, n int) {
	tenantUsage[5] = append(tenantUsage[5], usageRecord{tenant: 5, payload: make([]byte, n/2+rng.Intn(n+1))})
}

//go:noinline
func tenantUsage06(rng *rand.Rand, n int) {
	tenantUsage[6] = append(tenantUsage[6], usageRecord{tenant: 6, payload: make([]byte, n/2+rng.Intn(n+1))})
}

//go:noinline
func tenantUsage07(rng *rand.Rand, n int) {
	tenantUsage[7] = append(tenantUsage[7], usageRecord{tenant: 7, payload: make([]byte, n/2+rng.Intn(n+1))})
}

//go:noinline
func tenantUsage08(rng *rand.Rand, n int) {
	tenantUsage[8] = append(tenantUsage[8], usageRecord{tenant: 8, payload: make([]byte, n/2+rng.Intn(n+1))})
}

//go:noinline
func tenantUsage09(rng *rand.Rand, n int) {
	tenantUsage[9] = append(tenantUsage[9], usageRecord{tenant: 9, payload: make([]byte, n/2+rng.Intn(n+1))})
}

//go:noinline
func tenantUsage10(rng *rand.Rand, n int) {
	tenantUsage[10] = append(tenantUsage[10], usageRecord{tenant: 10, payload: make([]byte, n/2+rng.Intn(n+1))})
}

//go:noinline
func tenantUsage11(rng *rand.Rand, n int) {
	tenantUsage[11] = append(tenantUsage[11], usageRecord{tenant: 11, payload: make([]byte, n/2+rng.Intn(n+1))})
}

//go:noinline
func tenantUsage12(rng *rand.Rand, n int) {
	tenantUsage[12] = append(tenantUsage[12], usageRecord{tenant: 12, payload: make([]byte, n/2+rng.Intn(n+1))})
}

//go:noinline
func tenantUsage13(rng *rand.Rand, n int) {
	tenantUsage[13] = append(tenantUsage[13], usageRecord{tenant: 13, payload: make([]byte, n/2+rng.Intn(n+1))})
}

//go:noinline
func tenantUsage14(rng *rand.Rand, n int) {
	tenantUsage[14] = append(tenantUsage[14], usageRecord{tenant: 14, payload: make([]byte, n/2+rng.Intn(n+1))})
}

//go:noinline
func tenantUsage15(rng *rand.Rand, n int) {
	tenantUsage[15] = append(tenantUsage[15], usageRecord{tenant: 15, payload: make([]byte, n/2+rng.Intn(n+1))})
}

//go:noinline
func tenantUsage16(rng *rand.Rand, n int) {
	tenantUsage[16] = append(tenantUsage[16], usageRecord{tenant: 16, payload: make([]byte, n/2+rng.Intn(n+1))})
}

//go:noinline
func tenantUsage17(rng *rand.Rand, n int) {
	tenantUsage[17] = append(tenantUsage[17], usageRecord{tenant: 17, payload: make([]byte, n/2+rng.Intn(n+1))})
}

//go:noinline
func tenantUsage18(rng *rand.Rand, n int) {
	tenantUsage[18] = append(tenantUsage[18], usageRecord{tenant: 18, payload: make([]byte, n/2+rng.Intn(n+1))})
}

//go:noinline
func tenantUsage19(rng *rand.Rand, n int) {
	tenantUsage[19] = append(tenantUsage[19], usageRecord{tenant: 19, payload: make([]byte, n/2+rng.Intn(n+1))})
}

// ---- index-log: a key-value store's index and replication log ----

type indexEntry struct {
	key    string
	offset int64
	meta   []byte
}

// kvStore's index grows with every new key and never shrinks; its log
// grows with every write and is compacted every logCompactAt entries.
type kvStore struct {
	index    map[string]*indexEntry
	log      [][]byte
	nextKey  int
	logLimit int
}

// indexNewKeys writes a burst of new keys: the index keeps every one (unbounded).
func indexNewKeys(rng *rand.Rand, s *kvStore, count int) {
	for i := 0; i < count; i++ {
		k := fmt.Sprintf("tenant-%04d/object-%09d", rng.Intn(5000), s.nextKey)
		s.nextKey++
		s.index[k] = &indexEntry{key: k, offset: int64(s.nextKey) * 512, meta: make([]byte, 64+rng.Intn(128))}
		appendReplicationLog(rng, s)
	}
}

// appendReplicationLog records one write; the log is released at compaction.
func appendReplicationLog(rng *rand.Rand, s *kvStore) {
	s.log = append(s.log, make([]byte, 256+rng.Intn(1536)))
	if len(s.log) >= s.logLimit {
		compactReplicationLog(s)
	}
}

// compactReplicationLog drops the log's entries (they are in a snapshot now).
func compactReplicationLog(s *kvStore) {
	s.log = nil
}

// updateExistingKeys rewrites existing keys: log entries only, no new index entries.
func updateExistingKeys(rng *rand.Rand, s *kvStore, count int) {
	for i := 0; i < count; i++ {
		appendReplicationLog(rng, s)
	}
}

// benchmarkBehaviour is a mode's own memory behaviour, run once per reconcile tick.
type benchmarkBehaviour struct {
	cfg       simConfig
	sessions  *sessionStore
	cache     *responseCache
	kv        *kvStore
	batchAt   time.Duration
	lastBurst time.Duration
	backlogN  int // release: entries loaded
}

func newBenchmarkBehaviour(rng *rand.Rand, cfg simConfig) *benchmarkBehaviour {
	b := &benchmarkBehaviour{cfg: cfg, batchAt: cfg.b.batchPeriod}
	switch cfg.mode {
	case "slow-leak":
		b.sessions = newSessionStore(rng, cfg.b.workingSetMiB)
	case "warm-cache":
		b.cache = &responseCache{entries: map[int][]byte{}}
	case "release":
		loadBacklog(rng, cfg.b.backlogMiB)
		b.backlogN = len(backlog)
	case "index-log":
		b.kv = &kvStore{index: map[string]*indexEntry{}, logLimit: cfg.b.logCompactAt}
	}
	return b
}

// step runs one tick of the mode's behaviour, `elapsed` since the process started.
func (b *benchmarkBehaviour) step(rng *rand.Rand, elapsed time.Duration) {
	c := b.cfg.b
	perTick := func(bytesPerS int) int { return int(float64(bytesPerS) * b.cfg.tick.Seconds()) }
	switch b.cfg.mode {
	case "slow-leak":
		refreshSessions(rng, b.sessions, int(c.churnPerTick*float64(len(b.sessions.sessions))))
		retainAuditRecord(rng, perTick(c.leakBytesPerS))
	case "warm-cache":
		fill := int(float64(c.cacheMiB<<20) / c.warmup.Seconds() * b.cfg.tick.Seconds())
		warmResponseCache(rng, b.cache, fill, c.cacheMiB<<20)
	case "batch":
		if batchData == nil && elapsed >= b.batchAt {
			runBatchJob(rng, c.batchMiB)
		}
		if batchData != nil && elapsed >= b.batchAt+c.batchHold {
			batchData = nil
			b.batchAt += c.batchPeriod
		}
	case "leak-stops":
		if elapsed < c.leakStopAt {
			retainReplayEvents(rng, perTick(c.leakBytesPerS))
		}
	case "release":
		// The backlog drains evenly from the end of initialisation to releaseOver.
		from := b.cfg.syncDelay
		if elapsed > from {
			left := 1 - float64(elapsed-from)/float64(c.releaseOver-from)
			if left < 0 {
				left = 0
			}
			drainBacklog(int(left * float64(b.backlogN)))
		}
	case "spread-leak":
		trackTenantUsage(rng, perTick(c.leakBytesPerS))
	case "index-log":
		if elapsed-b.lastBurst >= c.keyBurstPeriod {
			indexNewKeys(rng, b.kv, c.keysPerBurst)
			b.lastBurst = elapsed
		}
		updateExistingKeys(rng, b.kv, 40)
	}
}
