/**
 * gevent.Timeout: start a 5 s timeout, join a task that sleeps 10 s, catch the timeout. The
 * timeout is raised into the task that started it, at the `yield` it is parked on.
 */
import { sleep, spawn, Timeout, TimeoutError } from 'verdant'
import type { Print } from './01-hello-world.js'

export function* main(print: Print): Generator<unknown, void> {
  const timeout = new Timeout(5000).start()
  function* wait(): Generator<unknown, void> {
    yield* sleep(10_000)
  }
  const task = spawn(wait)
  try {
    yield* task.join()
    print('Completed')
  } catch (err) {
    if (!(err instanceof TimeoutError && err.timeout === timeout)) throw err
    print('Could not complete')
  } finally {
    timeout.cancel()
    yield* task.kill()
  }
}
