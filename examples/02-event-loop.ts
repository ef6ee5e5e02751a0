/**
 * The event loop run: `loop.run_until_complete(main()); loop.close()` becomes `run(main)`, which
 * runs main to completion and then cancels whatever is still running, waiting for its clean-up.
 */
import { run, sleep, spawn } from 'verdant'
import type { Print } from './01-hello-world.js'

export async function main(print: Print): Promise<void> {
  const value = await run(
    function* () {
      spawn(
        function* () {
          try {
            yield* sleep(60_000)
          } finally {
            print('background task cancelled when main ended')
          }
        },
        { detached: true, name: 'background' },
      )
      print('main is running')
      yield* sleep(10)
      return 'main result'
    },
    { signals: [] },
  )
  print(`run() returned ${JSON.stringify(value)}`)
}
