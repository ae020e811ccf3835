package interrupt

import (
	"slices"
	"testing"
)

// Each check charges the longest path from it to the next check (a loop
// header), a return or the function's end, following every branch.
func TestCheckWeights(t *testing.T) {
	const (
		nop   = 0x01
		br    = 0x0c
		load  = 0x28
		block = opBlock
		loop  = opLoop
		end   = opEnd
		empty = blockTypeEmpty
	)
	cases := []struct {
		name string
		body []byte // without the locals
		want []int64
	}{
		{"no loop", []byte{nop, nop, nop, end}, []int64{4}},
		{"a load weighs more", []byte{opI32Const, 0, load, 2, 0, opDrop, end}, []int64{3 + loadWeight}},
		// entry: loop; the loop: br.
		{"endless loop", []byte{loop, empty, br, 0, end, end}, []int64{1, 1}},
		// The entry branches over the loop: block, br, end, end. The
		// loop's check pays for the code after the loop too.
		{"code after a skipped loop", []byte{block, empty, br, 0, loop, empty, nop, end, nop, nop, nop, end, end},
			[]int64{4, 7}},
		{"nested loops", []byte{loop, empty, nop, loop, empty, nop, end, nop, end, end}, []int64{1, 2, 5}},
		// i32.const, if, then's 5 nops, else (to the end), end, end.
		{"if takes the longer branch", []byte{opI32Const, 0, opIf, empty, nop, nop, nop, nop, nop, opElse, nop, end, end},
			[]int64{10}},
		// block, block, i32.const, br_table, then the farther label:
		// end, 3 nops, end, end.
		{"br_table takes the longer label", []byte{block, empty, block, empty, opI32Const, 0, opBrTable, 1, 0, 1,
			end, nop, nop, nop, end, end}, []int64{10}},
		// Exception handling: every check charges the whole body.
		{"try", []byte{opTry, empty, nop, end, loop, empty, br, 0, end, end}, []int64{7, 7}},
	}
	for _, c := range cases {
		_, got, err := findSites(append([]byte{0}, c.body...), globals{}, &scratch{})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: weights %v, want %v", c.name, got, c.want)
		}
	}
}

// Bulk instructions are charged by their size, calls to imports and
// indirect calls are followed by a flag test, calls between the module's
// own functions are not (the callee's entry has a check).
func TestSitesOfBulkInstructionsAndHostCalls(t *testing.T) {
	body := []byte{0, // no locals
		opI32Const, 0, opI32Const, 0, opI32Const, 9, prefixMisc, 11, 0, // memory.fill
		opCall, 0, // an import
		opCall, 1, // the module's own
		opI32Const, 0, opCallIndirect, 0, 0,
		opEnd}
	sites, _, err := findSites(body, globals{hostFuncs: 1}, &scratch{})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []siteKind
	for _, s := range sites {
		kinds = append(kinds, s.kind)
	}
	want := []siteKind{siteCheck, siteBulk, siteHostCall, siteHostCall}
	if !slices.Equal(kinds, want) {
		t.Errorf("sites %v, want %v", kinds, want)
	}
	if sites[1].pos != 7 || sites[1].check != bytesShift || sites[2].pos != 12 {
		t.Errorf("sites %+v: want the charge before memory.fill at 7 and the flag test after the import call at 12", sites)
	}
}
