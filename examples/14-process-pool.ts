/**
 * The talk's heavy CPU task on a process pool, with an error reported per task: one bad input
 * fails its own future and the other tasks carry on.
 */
import { ProcessPoolExecutor } from 'verdant'
import type { Print } from './01-hello-world.js'
import { heavy } from './tasks/cpu.js'

export async function main(print: Print): Promise<void> {
  await using executor = new ProcessPoolExecutor({ maxWorkers: 2 })
  const sizes = [3, -1, 5, 2]
  const futures = sizes.map((n) => executor.submit(heavy, n))
  for (const [i, future] of futures.entries()) {
    try {
      print(`task ${String(i)} (size ${String(sizes[i])}): ok, hash ${String(await future)}`)
    } catch (err) {
      print(
        `task ${String(i)} (size ${String(sizes[i])}): failed with ${(err as Error).name}: ${(err as Error).message}`,
      )
    }
  }
  print(`completed ${String(executor.stats().completed)}, failed ${String(executor.stats().failed)}`)
}
