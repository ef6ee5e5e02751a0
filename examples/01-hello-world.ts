/**
 * Hello world, as a native coroutine (an async function) and as a generator coroutine (the talk's
 * `@asyncio.coroutine` / `yield from` style). Both are verdant tasks.
 */
import { spawn } from 'verdant'

export type Print = (line: string) => void

export async function main(print: Print): Promise<void> {
  async function helloWorld(): Promise<void> {
    await Promise.resolve()
    print('Hello World! (async function)')
  }
  function* helloWorldGenerator(): Generator<never, void> {
    print('Hello World! (generator function)')
  }
  await spawn(helloWorld)
  await spawn(helloWorldGenerator)
}
