// Command gen-profile writes a synthetic Go-style heap profile (profile.proto,
// gzip) of any size, for heaplens' benchmark and decoder tests. It encodes the
// protobuf by hand (standard library only) the way Go's runtime does: lists of
// more than two elements packed, shorter ones one tag per element, the string
// table last, a "bytes" numeric label on every sample.
//
//	go run ./bench/gen-profile -out big.pb.gz -samples 400000
package main

import (
	"compress/gzip"
	"flag"
	"fmt"
	"math/rand"
	"os"
)

type buffer struct{ b []byte }

func (w *buffer) varint(x uint64) {
	for x >= 0x80 {
		w.b = append(w.b, byte(x)|0x80)
		x >>= 7
	}
	w.b = append(w.b, byte(x))
}

func (w *buffer) tag(field, wire int) { w.varint(uint64(field<<3 | wire)) }

func (w *buffer) int64Field(field int, x int64) {
	if x == 0 {
		return
	}
	w.tag(field, 0)
	w.varint(uint64(x))
}

func (w *buffer) bytesField(field int, data []byte) {
	w.tag(field, 2)
	w.varint(uint64(len(data)))
	w.b = append(w.b, data...)
}

// repeated writes a repeated varint field as Go's encoder does.
func (w *buffer) repeated(field int, xs []uint64) {
	if len(xs) > 2 {
		var p buffer
		for _, x := range xs {
			p.varint(x)
		}
		w.bytesField(field, p.b)
		return
	}
	for _, x := range xs {
		w.tag(field, 0)
		w.varint(x)
	}
}

type strtab struct {
	index map[string]int
	list  []string
}

func (s *strtab) id(x string) int64 {
	if i, ok := s.index[x]; ok {
		return int64(i)
	}
	s.index[x] = len(s.list)
	s.list = append(s.list, x)
	return int64(len(s.list) - 1)
}

var hostileNames = []string{
	"main.(*Server).<script>alert(1)</script>",
	"main.\"><img src=x onerror=alert(1)>",
	"javascript:alert(document.cookie)",
	"main.evil\x1b[2J\x1b[31mRED\x07",
	"main.bidi\u202egnp.exe",
	"main.pipe|table|breaker",
	"main.newline\nSecond line",
}

func main() {
	out := flag.String("out", "", "output file (.pb.gz)")
	samples := flag.Int("samples", 400000, "number of samples")
	functions := flag.Int("functions", 20000, "number of distinct functions")
	locations := flag.Int("locations", 60000, "number of distinct locations")
	minDepth := flag.Int("min-depth", 4, "shortest stack")
	maxDepth := flag.Int("max-depth", 40, "deepest stack")
	seed := flag.Int64("seed", 1, "random seed")
	hostile := flag.Bool("hostile", false, "give some functions hostile names (HTML, terminal escapes, bidi)")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "gen-profile: -out is required")
		os.Exit(2)
	}
	rng := rand.New(rand.NewSource(*seed))
	st := &strtab{index: map[string]int{}}
	st.id("")
	var p buffer

	for _, t := range [][2]string{{"alloc_objects", "count"}, {"alloc_space", "bytes"}, {"inuse_objects", "count"}, {"inuse_space", "bytes"}} {
		var vt buffer
		vt.int64Field(1, st.id(t[0]))
		vt.int64Field(2, st.id(t[1]))
		p.bytesField(1, vt.b)
	}

	// Locations: most one line, some with inlined frames (2-3 lines).
	type loc struct{ lines []int }
	locs := make([]loc, *locations)
	for i := range locs {
		n := 1
		if r := rng.Intn(10); r == 0 {
			n = 3
		} else if r < 3 {
			n = 2
		}
		for j := 0; j < n; j++ {
			locs[i].lines = append(locs[i].lines, rng.Intn(*functions)+1)
		}
	}
	// Stacks walk a call tree: frames near the root come from a small set, so
	// prefixes are shared as in real programs, and leaves are varied.
	for s := 0; s < *samples; s++ {
		depth := *minDepth + rng.Intn(*maxDepth-*minDepth+1)
		ids := make([]uint64, depth)
		for d := 0; d < depth; d++ {
			level := depth - 1 - d // root at the end
			span := 8 << uint(level)
			if span > len(locs) || span <= 0 {
				span = len(locs)
			}
			ids[d] = uint64(rng.Intn(span) + 1)
		}
		size := int64(16 << uint(rng.Intn(12)))
		count := int64(1 + rng.Intn(50))
		inuse := int64(rng.Intn(int(count) + 1))
		var sb buffer
		sb.repeated(1, ids)
		sb.repeated(2, []uint64{uint64(count), uint64(count * size), uint64(inuse), uint64(inuse * size)})
		var lb buffer
		lb.int64Field(1, st.id("bytes"))
		lb.int64Field(3, size)
		sb.bytesField(3, lb.b)
		p.bytesField(2, sb.b)
	}

	var m buffer
	m.int64Field(1, 1)
	m.int64Field(2, 0x400000)
	m.int64Field(3, 0x2000000)
	m.int64Field(5, st.id("/usr/local/bin/synthetic-operator"))
	m.int64Field(7, 1)
	m.int64Field(8, 1)
	m.int64Field(9, 1)
	m.int64Field(10, 1)
	p.bytesField(3, m.b)

	for i, l := range locs {
		var lb buffer
		lb.int64Field(1, int64(i+1))
		lb.int64Field(2, 1)
		lb.int64Field(3, int64(0x400000+i*16))
		for _, fn := range l.lines {
			var ln buffer
			ln.int64Field(1, int64(fn))
			ln.int64Field(2, int64(10+rng.Intn(2000)))
			lb.bytesField(4, ln.b)
		}
		p.bytesField(4, lb.b)
	}
	for f := 1; f <= *functions; f++ {
		name := fmt.Sprintf("k8s.io/synthetic/pkg%d.(*Type%d).Method%d", f%97, f%13, f)
		if *hostile && f <= len(hostileNames) {
			name = hostileNames[f-1]
		}
		var fb buffer
		fb.int64Field(1, int64(f))
		fb.int64Field(2, st.id(name))
		fb.int64Field(3, st.id(name))
		fb.int64Field(4, st.id(fmt.Sprintf("k8s.io/synthetic/pkg%d/file%d.go", f%97, f%31)))
		fb.int64Field(5, int64(f%500+1))
		p.bytesField(5, fb.b)
	}
	var pt buffer
	pt.int64Field(1, st.id("space"))
	pt.int64Field(2, st.id("bytes"))
	p.int64Field(9, 1764144000000000000)
	p.bytesField(11, pt.b)
	p.int64Field(12, 524288)
	for _, s := range st.list {
		p.bytesField(6, []byte(s))
	}

	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen-profile:", err)
		os.Exit(1)
	}
	zw := gzip.NewWriter(f)
	if _, err := zw.Write(p.b); err != nil {
		fmt.Fprintln(os.Stderr, "gen-profile:", err)
		os.Exit(1)
	}
	if err := zw.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "gen-profile:", err)
		os.Exit(1)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "gen-profile:", err)
		os.Exit(1)
	}
	fmt.Printf("%s: %d samples, %d bytes uncompressed\n", *out, *samples, len(p.b))
}
