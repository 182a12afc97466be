// Command gensnapshot writes a generated Config snapshot, for measuring the
// scanner's memory on large inputs: gensnapshot -items 400000 > big.json
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/guardrails-go/guardrails/internal/testgen"
)

func main() {
	n := flag.Int("items", 100000, "number of items")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if err := testgen.WriteSnapshot(os.Stdout, *n, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "gensnapshot:", err)
		os.Exit(1)
	}
}
