import { ProcessPoolExecutor, taskRef } from '/work/main/dist/index.js'
import { Histogram } from '/work/main/dist/executor/histogram.js'
const h = new Histogram(); for (let i = 1; i <= 1000; i++) h.record(i * 100); console.log(h.snapshot())
const url = new URL('file:///work/main/test/fixtures/executor-tasks.mjs')
const { add } = await import(url.href)
const ex = new ProcessPoolExecutor({ maxWorkers: 2 })
console.log('submitting')
console.log(await ex.submit(add, 1, 2))
await ex.shutdown()
console.log('done')
