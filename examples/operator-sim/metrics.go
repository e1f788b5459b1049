package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

var startTime = time.Now()

// serveMetrics writes process and Go runtime memory metrics in the
// Prometheus text exposition format (version 0.0.4), with the names
// client_golang uses, so the same queries work on real services.
func serveMetrics(w http.ResponseWriter, _ *http.Request) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	var b bytes.Buffer
	gauge := func(name, help string, v float64) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n%s %s\n", name, help, name, name, strconv.FormatFloat(v, 'g', -1, 64))
	}
	counter := func(name, help string, v float64) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s counter\n%s %s\n", name, help, name, name, strconv.FormatFloat(v, 'g', -1, 64))
	}
	rss, vsz := readStatm()
	gauge("process_resident_memory_bytes", "Resident memory size in bytes.", rss)
	gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", vsz)
	gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", float64(startTime.UnixNano())/1e9)
	gauge("go_goroutines", "Number of goroutines that currently exist.", float64(runtime.NumGoroutine()))
	gauge("go_memstats_alloc_bytes", "Number of bytes allocated and still in use.", float64(ms.Alloc))
	counter("go_memstats_alloc_bytes_total", "Total number of bytes allocated, even if freed.", float64(ms.TotalAlloc))
	gauge("go_memstats_sys_bytes", "Number of bytes obtained from system.", float64(ms.Sys))
	gauge("go_memstats_heap_alloc_bytes", "Number of heap bytes allocated and still in use.", float64(ms.HeapAlloc))
	gauge("go_memstats_heap_sys_bytes", "Number of heap bytes obtained from system.", float64(ms.HeapSys))
	gauge("go_memstats_heap_idle_bytes", "Number of heap bytes waiting to be used.", float64(ms.HeapIdle))
	gauge("go_memstats_heap_inuse_bytes", "Number of heap bytes that are in use.", float64(ms.HeapInuse))
	gauge("go_memstats_heap_released_bytes", "Number of heap bytes released to OS.", float64(ms.HeapReleased))
	gauge("go_memstats_heap_objects", "Number of allocated objects.", float64(ms.HeapObjects))
	gauge("go_memstats_stack_inuse_bytes", "Number of bytes in use by the stack allocator.", float64(ms.StackInuse))
	gauge("go_memstats_stack_sys_bytes", "Number of bytes obtained from system for stack allocator.", float64(ms.StackSys))
	gauge("go_memstats_mspan_inuse_bytes", "Number of bytes in use by mspan structures.", float64(ms.MSpanInuse))
	gauge("go_memstats_mspan_sys_bytes", "Number of bytes used for mspan structures obtained from system.", float64(ms.MSpanSys))
	gauge("go_memstats_mcache_inuse_bytes", "Number of bytes in use by mcache structures.", float64(ms.MCacheInuse))
	gauge("go_memstats_mcache_sys_bytes", "Number of bytes used for mcache structures obtained from system.", float64(ms.MCacheSys))
	gauge("go_memstats_buck_hash_sys_bytes", "Number of bytes used by the profiling bucket hash table.", float64(ms.BuckHashSys))
	gauge("go_memstats_gc_sys_bytes", "Number of bytes used for garbage collection system metadata.", float64(ms.GCSys))
	gauge("go_memstats_other_sys_bytes", "Number of bytes used for other system allocations.", float64(ms.OtherSys))
	gauge("go_memstats_next_gc_bytes", "Number of heap bytes when next garbage collection will take place.", float64(ms.NextGC))
	gauge("go_memstats_last_gc_time_seconds", "Number of seconds since 1970 of last garbage collection.", float64(ms.LastGC)/1e9)
	counter("go_memstats_num_gc", "Number of completed GC cycles.", float64(ms.NumGC))
	gauge("go_memstats_gc_cpu_fraction", "The fraction of this program's available CPU time used by the GC since the program started.", ms.GCCPUFraction)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	_, _ = w.Write(b.Bytes())
}

// readStatm returns resident and virtual size from /proc/self/statm.
func readStatm() (rss, vsz float64) {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, 0
	}
	fields := strings.Fields(string(data))
	if len(fields) < 2 {
		return 0, 0
	}
	page := float64(os.Getpagesize())
	size, _ := strconv.ParseFloat(fields[0], 64)
	res, _ := strconv.ParseFloat(fields[1], 64)
	return res * page, size * page
}
