/// When one step of a program ran, in `MonotonicClock` nanoseconds.
package struct StepSpan: Sendable, Equatable {
    package var start: UInt64
    package var end: UInt64
    package var nanoseconds: UInt64 { end &- start }
}
