package hook_test

import (
	"context"
	"testing"
)

// BenchmarkResourceTarget measures one resource target through
// aws-lambda-go's handler: decoding the event, reading the resource,
// evaluating every rule of the catalog that applies, encoding the answer.
func BenchmarkResourceTarget(b *testing.B) {
	h := newHandler(b)
	for _, tc := range []struct{ name, event string }{
		{"SecurityGroup", "resource-create-sg-strings.json"},
		{"Bucket", "resource-create-bucket-typed.json"},
		{"SecurityGroupIngress", "resource-create-ingress-part.json"},
	} {
		event := readEvent(b, tc.event)
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := h.Invoke(context.Background(), event); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
