// porcupine-check reads a recorded key/value history (JSON on stdin) and checks it for linearizability with
// Porcupine, one register per key. An operation whose outcome the client never learned (a timeout, a dropped
// connection) has "return": null and may have taken effect at any later time. It prints a JSON verdict.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"time"

	"github.com/anishathalye/porcupine"
)

type op struct {
	Client int     `json:"client"`
	Kind   string  `json:"kind"` // "put" or "get"
	Key    string  `json:"key"`
	Value  string  `json:"value"` // written, or read ("" = not found)
	Call   int64   `json:"call"`
	Return *int64  `json:"return"`
}

type input struct {
	put   bool
	key   string
	value string
}

type verdict struct {
	Result     string `json:"result"` // "ok", "illegal" or "unknown" (timed out)
	Operations int    `json:"operations"`
	Keys       int    `json:"keys"`
	Millis     int64  `json:"millis"`
}

func main() {
	timeout := flag.Duration("timeout", 60*time.Second, "give up (result \"unknown\") after this long")
	flag.Parse()
	var ops []op
	if err := json.NewDecoder(os.Stdin).Decode(&ops); err != nil {
		fmt.Fprintln(os.Stderr, "bad history:", err)
		os.Exit(2)
	}
	model := porcupine.Model{
		Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
			byKey := map[string][]porcupine.Operation{}
			var order []string
			for _, o := range history {
				k := o.Input.(input).key
				if _, seen := byKey[k]; !seen {
					order = append(order, k)
				}
				byKey[k] = append(byKey[k], o)
			}
			out := make([][]porcupine.Operation, 0, len(order))
			for _, k := range order {
				out = append(out, byKey[k])
			}
			return out
		},
		Init: func() interface{} { return "" },
		Step: func(state, in, out interface{}) (bool, interface{}) {
			i := in.(input)
			if i.put {
				return true, i.value
			}
			return out.(string) == state.(string), state
		},
		Equal: func(a, b interface{}) bool { return a.(string) == b.(string) },
	}
	history := make([]porcupine.Operation, 0, len(ops))
	keys := map[string]bool{}
	for _, o := range ops {
		ret := int64(math.MaxInt64)
		if o.Return != nil {
			ret = *o.Return
		}
		keys[o.Key] = true
		history = append(history, porcupine.Operation{
			ClientId: o.Client,
			Input:    input{put: o.Kind == "put", key: o.Key, value: o.Value},
			Call:     o.Call,
			Output:   o.Value,
			Return:   ret,
		})
	}
	started := time.Now()
	res := porcupine.CheckOperationsTimeout(model, history, *timeout)
	v := verdict{Operations: len(history), Keys: len(keys), Millis: time.Since(started).Milliseconds()}
	switch res {
	case porcupine.Ok:
		v.Result = "ok"
	case porcupine.Illegal:
		v.Result = "illegal"
	default:
		v.Result = "unknown"
	}
	out, _ := json.Marshal(v)
	fmt.Println(string(out))
	if res == porcupine.Illegal {
		os.Exit(1)
	}
}
