// Runs every workload (or those whose file name contains an argument) in its own process, on the
// current Node and, with --node24, also on Node 24 (fetched with npx). Prints markdown.
import { execFileSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import os from 'node:os'

const args = process.argv.slice(2)
const both = args.includes('--node24')
const filters = args.filter((a) => !a.startsWith('--'))
const files = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort()

const runtimes = [['node', [process.execPath]]]
if (both) runtimes.push(['node 24', ['npx', '-y', 'node@24']])

const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
for (const [label, cmd] of runtimes) {
  const version = execFileSync(cmd[0], [...cmd.slice(1), '--version'], { encoding: 'utf8' }).trim()
  console.log(`## ${label} ${version}\n`)
  console.log(
    `Machine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.platform()} ${os.release()}\n`,
  )
  for (const f of files) {
    const out = execFileSync(cmd[0], [...cmd.slice(1), '--expose-gc', new URL(f, import.meta.url).pathname], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    console.log(out)
  }
}
