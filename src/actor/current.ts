/**
 * The actor whose handler is running synchronously right now, so a `tell` made inside a handler
 * carries its sender without the handler passing it. After an `await` in an async handler no
 * actor is current and the sender is unknown, never wrong.
 *
 * @module
 */
import type { SenderSlot } from './actor-ref.js'

let running: SenderSlot | undefined

/** Sets the running cell's ref; returns the previous one. @internal */
export function setRunning(ref: SenderSlot | undefined): SenderSlot | undefined {
  const prev = running
  running = ref
  return prev
}

/** The running cell's ref, or undefined. @internal */
export function currentSender(): SenderSlot | undefined {
  return running
}
