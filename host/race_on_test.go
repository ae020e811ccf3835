//go:build race

package host

// raceDetector reports whether the tests run under -race, which slows
// wasm calls and host calls about tenfold: bounds on time allow for it.
const raceDetector = true
