/**
 * The greenlet hello/world: two tasks hand control back and forth with explicit switches
 * (`gevent.sleep(0)` becomes `yield* sleep(0)`).
 */
import { joinAll, sleep, spawn } from 'verdant'
import type { Print } from './01-hello-world.js'

export async function main(print: Print): Promise<void> {
  function* foo(): Generator<unknown, void> {
    print('Running in foo')
    yield* sleep(0)
    print('Explicit context switch to foo again')
  }
  function* bar(): Generator<unknown, void> {
    print('Explicit context to bar')
    yield* sleep(0)
    print('Implicit context switch back to bar')
  }
  await joinAll([spawn(foo), spawn(bar)])
}
