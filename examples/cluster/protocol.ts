/**
 * What the demo and its node processes say to each other over the IPC channel of `fork`.
 * A node sends its narrative as `line`s (one channel, so they stay in order with its events) and
 * reports the steps the demo waits for as `event`s.
 */

/** The cluster's name: both node processes run an actor system of this name. */
export const SYSTEM = 'talk'
/** Short heartbeats and failure window, so the demo is quick. */
export const HEARTBEAT_MS = 200
export const FAILURE_WINDOW_MS = 1500

/** From the demo to a node. */
export type Command =
  | { readonly cmd: 'pingpong' }
  | { readonly cmd: 'poll' }
  /** The demo has just killed node `node` (at `Date.now()` = `at`). */
  | { readonly cmd: 'killed'; readonly node: string; readonly at: number }
  | { readonly cmd: 'leave' }

/** The steps a node reports. */
export type NodeEvent = 'ready' | 'pingpong-done' | 'polled' | 'stats-down' | 'no-stats' | 'left'

/** From a node to the demo. */
export type Report = { readonly line: string } | { readonly event: NodeEvent }
