// Writes every ```ts block of README.md to test/readme/snippet-NN.ts, so `npm test` type-checks
// them and runs them: no example in the README goes untested.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1])
const dir = new URL('../test/readme/', import.meta.url)
rmSync(dir, { recursive: true, force: true })
mkdirSync(dir, { recursive: true })
blocks.forEach((code, i) => {
  const name = `snippet-${String(i + 1).padStart(2, '0')}.ts`
  writeFileSync(
    new URL(name, dir),
    `// Generated from README.md by scripts/readme-snippets.mjs.\nexport {}\n${code}`,
  )
})
// A block opened with ```ts file=NAME is a module the snippets import (a task module for workers).
const files = [...readme.matchAll(/```ts file=([\w.-]+)\n([\s\S]*?)```/g)]
for (const [, name, code] of files) {
  writeFileSync(new URL(name, dir), `// Generated from README.md by scripts/readme-snippets.mjs.\n${code}`)
}
console.log(`README: ${blocks.length} snippets and ${files.length} modules written to test/readme/`)
