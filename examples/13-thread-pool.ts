/**
 * The talk's thread-pool example: factorials computed on `ThreadPoolExecutor(max_workers=4)`,
 * printed with `as_completed` as each one finishes. The loop stays free while workers compute.
 */
import { asCompleted, ThreadPoolExecutor } from 'verdant'
import type { Print } from './01-hello-world.js'
import { factorial } from './tasks/cpu.js'

export async function main(print: Print): Promise<void> {
  await using executor = new ThreadPoolExecutor({ maxWorkers: 4 })
  const inputs = new Map([5, 10, 20, 25].map((n) => [executor.submit(factorial, n), n]))
  for await (const future of asCompleted(inputs.keys())) {
    print(`${String(inputs.get(future as never))}! = ${future.result()}`)
  }
}
