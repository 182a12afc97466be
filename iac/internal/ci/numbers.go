package ci

import (
	"encoding/json"
	"strconv"
)

var json32767 = json.Number("32767")

// Int returns n as a JSON number.
func Int(n int) json.Number { return json.Number(strconv.Itoa(n)) }
