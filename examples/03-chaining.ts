/**
 * Chaining coroutines: create, write, close. Started together and stopped after 2 s, as in the
 * talk, they finish in the wrong order and `create` never finishes; chained with `yield*` (the
 * talk's `yield from`) they run in order.
 */
import { scoped, sleep } from 'verdant'
import type { Print } from './01-hello-world.js'

export async function main(print: Print): Promise<void> {
  function* create(): Generator<unknown, void> {
    yield* sleep(3000)
    print('(1) create file')
  }
  function* write(): Generator<unknown, void> {
    yield* sleep(1000)
    print('(2) write into file')
  }
  function* close(): Generator<unknown, void> {
    print('(3) close file')
  }

  print('-- all at once, stopped after 2 s --')
  await scoped(async (scope) => {
    const tasks = [scope.spawn(create), scope.spawn(write), scope.spawn(close)]
    await scope.sleep(2000)
    for (const t of tasks) await t.kill('loop stopped')
    print(
      `create: ${tasks[0]?.state ?? ''}, write: ${tasks[1]?.state ?? ''}, close: ${tasks[2]?.state ?? ''}`,
    )
  })

  print('-- chained --')
  await scoped(function* () {
    yield* create()
    yield* write()
    yield* close()
  })
}
