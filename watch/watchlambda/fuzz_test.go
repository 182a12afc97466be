package watchlambda

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// Decoding an event never panics, whatever it holds.
func FuzzParseEvent(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "realdata", "aws-lambda-go", "*.json"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"s3Bucket":"b","s3ObjectKey":["k"]}`))
	f.Add([]byte(`{"detail-type":"Object Created","source":"aws.s3","detail":{"bucket":{"name":"b"},"object":{"key":"k"}}}`))
	f.Add([]byte(`{"Type":"Notification","Message":"{\"Records\":[]}"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		classify(json.RawMessage(data))
		parseEvent(json.RawMessage(data))
	})
}
