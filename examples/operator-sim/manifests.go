package main

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"strings"
)

// generateManifest renders a Kubernetes-like object as JSON bytes: metadata
// with labels, annotations and managedFields, and a spec with containers,
// the shape that makes unstructured decoding expensive in real operators.
func generateManifest(rng *rand.Rand, kind string, i int, size int) []byte {
	labels := map[string]interface{}{}
	for l := 0; l < 6; l++ {
		labels[fmt.Sprintf("app.kubernetes.io/label-%d", l)] = fmt.Sprintf("value-%d-%d", i, rng.Intn(1000))
	}
	annotations := map[string]interface{}{
		"kubectl.kubernetes.io/last-applied-configuration": strings.Repeat("{\"spec\":{}}", size),
		"olm.operatorframework.io/bundle":                  fmt.Sprintf("quay.io/operatorhubio/bundle-%d:v%d.%d.%d", i, rng.Intn(5), rng.Intn(20), rng.Intn(50)),
	}
	managed := []interface{}{}
	for m := 0; m < 3; m++ {
		managed = append(managed, map[string]interface{}{
			"manager":    fmt.Sprintf("controller-%d", m),
			"operation":  "Update",
			"apiVersion": "v1",
			"fieldsType": "FieldsV1",
			"fieldsV1":   map[string]interface{}{"f:metadata": map[string]interface{}{"f:labels": map[string]interface{}{".": map[string]interface{}{}}}},
		})
	}
	containers := []interface{}{}
	for c := 0; c < 1+rng.Intn(3); c++ {
		env := []interface{}{}
		for e := 0; e < size; e++ {
			env = append(env, map[string]interface{}{"name": fmt.Sprintf("ENV_%d_%d", c, e), "value": fmt.Sprintf("v%08d", rng.Intn(1e8))})
		}
		containers = append(containers, map[string]interface{}{
			"name":  fmt.Sprintf("manager-%d", c),
			"image": fmt.Sprintf("registry.example.com/operator:%d", rng.Intn(100)),
			"env":   env,
			"resources": map[string]interface{}{
				"limits":   map[string]interface{}{"cpu": "500m", "memory": "128Mi"},
				"requests": map[string]interface{}{"cpu": "10m", "memory": "64Mi"},
			},
		})
	}
	obj := map[string]interface{}{
		"apiVersion": "olm.operatorframework.io/v1",
		"kind":       kind,
		"metadata": map[string]interface{}{
			"name":            fmt.Sprintf("%s-%06d", strings.ToLower(kind), i),
			"namespace":       "olmv1-system",
			"uid":             fmt.Sprintf("%08x-%04x-%04x", rng.Uint32(), rng.Intn(65536), rng.Intn(65536)),
			"resourceVersion": fmt.Sprint(rng.Intn(1 << 30)),
			"labels":          labels,
			"annotations":     annotations,
			"managedFields":   managed,
		},
		"spec": map[string]interface{}{
			"replicas": rng.Intn(3) + 1,
			"template": map[string]interface{}{"spec": map[string]interface{}{"containers": containers}},
		},
	}
	b, err := json.Marshal(obj)
	if err != nil {
		panic(err)
	}
	return b
}

// generateSchemaDocument renders an OpenAPI-like schema document with many
// nested definitions, fetched once at start-up by discovery clients.
func generateSchemaDocument(rng *rand.Rand, definitions int) []byte {
	defs := map[string]interface{}{}
	for d := 0; d < definitions; d++ {
		props := map[string]interface{}{}
		for p := 0; p < 20; p++ {
			props[fmt.Sprintf("field%02d", p)] = map[string]interface{}{
				"type":        []string{"string", "integer", "object", "array"}[rng.Intn(4)],
				"description": strings.Repeat("Describes the field in words. ", 1+rng.Intn(4)),
			}
		}
		defs[fmt.Sprintf("io.k8s.api.group%d.v1.Kind%d", d%40, d)] = map[string]interface{}{"type": "object", "properties": props}
	}
	b, err := json.Marshal(map[string]interface{}{"openapi": "3.0.0", "components": map[string]interface{}{"schemas": defs}})
	if err != nil {
		panic(err)
	}
	return b
}
