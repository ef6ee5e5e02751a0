// Runs one example by number or name: `npm run example 08` or `npm run example timeout`.
import { readdirSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { buildIfStale } from './build-if-stale.mjs'

const want = process.argv[2]
buildIfStale(fileURLToPath(new URL('..', import.meta.url)))
const files = readdirSync('dist-examples').filter((f) => /^\d\d-.*\.js$/.test(f))
const file = files.find((f) => want !== undefined && (f.startsWith(want) || f.includes(want)))
if (file === undefined) {
  console.log(
    `usage: npm run example <name>, one of:\n  ${files.map((f) => f.replace(/\.js$/, '')).join('\n  ')}`,
  )
  process.exit(want === undefined ? 0 : 2)
}
const mod = await import(pathToFileURL(`dist-examples/${file}`).href)
if (typeof mod.main === 'function') {
  const { spawn } = await import(pathToFileURL('dist/index.js').href)
  await spawn(() => mod.main((line) => console.log(line)))
}
