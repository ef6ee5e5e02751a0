/**
 * Dead letters: where messages go that no actor will handle (Akka `deadLetters`).
 *
 * @module
 */
import { typeError } from '../errors.js'

/**
 * Why a message became a dead letter: its actor was `stopped`; a bounded mailbox `dropped` it;
 * handling it `failed`; it was a reply to an ask already settled (`ask-settled`, e.g. after its
 * timeout). Across a cluster also: no actor (or not that incarnation) lives at its path
 * (`not-found`); its node is down or the connection closed (`unreachable`); the frame could not be
 * read (`bad-frame`); the message failed its type's validation (`invalid`).
 * @since 0.1.0
 */
export type DeadLetterReason =
  'stopped' | 'dropped' | 'failed' | 'ask-settled' | 'not-found' | 'unreachable' | 'bad-frame' | 'invalid'

/** A message that was not handled. @since 0.1.0 */
export interface DeadLetter {
  readonly message: unknown
  /** The path of the actor it was for. */
  readonly recipient: string
  /** The sender's path, when known. */
  readonly sender: string | undefined
  readonly reason: DeadLetterReason
  /** For `failed`: the error handling it raised. */
  readonly error?: unknown
}

/**
 * The dead-letter office of an actor system: counts every dead letter and hands it to
 * subscribers, so no message vanishes silently.
 * @example
 * const off = system.deadLetters.subscribe((d) => console.log(d.recipient, d.reason))
 * @since 0.1.0
 */
export class DeadLetters {
  #count = 0
  readonly #listeners = new Set<(letter: DeadLetter) => void>()
  readonly #onListenerError: (error: unknown) => void

  /** @internal */
  constructor(onListenerError: (error: unknown) => void) {
    this.#onListenerError = onListenerError
  }

  /** How many dead letters there have been. */
  get count(): number {
    return this.#count
  }

  /** Calls `listener` with every later dead letter; returns the unsubscribe function. */
  subscribe(listener: (letter: DeadLetter) => void): () => void {
    if (typeof listener !== 'function') throw typeError('listener', 'a function', listener)
    this.#listeners.add(listener)
    return () => {
      this.#listeners.delete(listener)
    }
  }

  /** @internal */
  _publish(letter: DeadLetter): void {
    this.#count++
    for (const listener of this.#listeners) {
      try {
        listener(letter)
      } catch (err) {
        this.#onListenerError(err)
      }
    }
  }
}
