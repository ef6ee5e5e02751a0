/**
 * `verdant/testing`: virtual time and leak checks for tests of code built on verdant.
 *
 * @module
 */
export { TestClock, VirtualClock, withVirtualTime, type VirtualClockOptions } from './virtual-clock.js'
export { assertNoLeaks, leakReport, settledState, type LeakReport } from './leak-check.js'
