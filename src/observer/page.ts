/**
 * The observer's one page, as a string the server sends for `GET /`. It is a single document with
 * its style and script inline, so the observer needs no static files, no bundler and no network
 * beyond the program it watches: it works offline and from a production box as it is.
 *
 * The script stays small and framework-free on purpose: it opens one `EventSource` on `events`
 * (relative, so the page also works behind a path prefix), passing on the page's own `token` and
 * the sort the user picked, and rewrites the tables in place from each snapshot. Rows are keyed
 * (`data-row`) and reused, and a cell is written only when its text changed, so a thousand rows
 * per second cost little layout. Every value from the program goes in through `textContent`,
 * never as markup: task names, actor paths and dead-letter reasons are the program's data.
 *
 * The `data-row`, `data-field` and `data-snapshots` attributes are the page's stable hooks for
 * tests and scripts; keep them when changing the layout.
 *
 * @module
 */

import { pageScript as script } from './page-script.js'

const style = `
:root { color-scheme: light dark; --fg: #1d2328; --muted: #67737e; --bg: #fbfbfa; --panel: #fff;
  --line: #e2e5e8; --accent: #2f7d4f; --warn: #b3541e; --bar: #2f7d4f; --barbg: #e6ece8; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e4e8eb; --muted: #93a0ab; --bg: #15191c; --panel: #1c2125; --line: #2c3338;
    --accent: #6cc28e; --warn: #f0965c; --bar: #6cc28e; --barbg: #2a3530; }
}
* { box-sizing: border-box; }
body { margin: 0; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg);
  background: var(--bg); }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 18px; padding: 10px 16px;
  border-bottom: 1px solid var(--line); background: var(--panel); position: sticky; top: 0; z-index: 1; }
header h1 { font-size: 15px; margin: 0 8px 0 0; }
header .kv { white-space: nowrap; }
.k { color: var(--muted); margin-right: 4px; }
.num, td.n { font-variant-numeric: tabular-nums; }
#conn { font-weight: 600; }
#conn[data-state="live"] { color: var(--accent); }
#conn[data-state="reconnecting"], #conn[data-state="connecting"] { color: var(--warn); }
.controls { display: flex; flex-wrap: wrap; gap: 12px; padding: 8px 16px; align-items: center;
  color: var(--muted); }
.controls label { display: inline-flex; gap: 6px; align-items: center; }
.controls select, .controls input { font: inherit; }
.controls input { width: 5.5em; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 12px;
  padding: 0 16px 16px; align-items: start; }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 6px;
  padding: 8px 10px; min-width: 0; }
section.wide { grid-column: 1 / -1; }
h2 { font-size: 13px; margin: 2px 0 6px; display: flex; flex-wrap: wrap; gap: 4px 14px;
  align-items: baseline; }
h2 .title { font-size: 14px; }
h2 .kv { font-weight: normal; }
h3 { font-size: 12px; margin: 10px 0 4px; color: var(--muted); font-weight: 600; }
.scroll { max-height: 420px; overflow: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 2px 8px 2px 0; border-bottom: 1px solid var(--line);
  white-space: nowrap; }
th { position: sticky; top: 0; background: var(--panel); color: var(--muted); font-weight: 600; }
td.n, th.n { text-align: right; padding-right: 12px; }
td.wrap { white-space: normal; word-break: break-word; }
td[data-field="path"], td[data-field="name"] { max-width: 320px; overflow: hidden;
  text-overflow: ellipsis; }
tr.empty td { color: var(--muted); font-style: italic; }
.bars { display: inline-flex; gap: 2px; align-items: flex-end; height: 14px; vertical-align: middle; }
.bar { width: 8px; height: 14px; background: var(--barbg); position: relative; border-radius: 1px; }
.bar > i { position: absolute; left: 0; right: 0; bottom: 0; background: var(--bar); }
.muted { color: var(--muted); }
#problem { margin: 0 16px 8px; padding: 6px 10px; border: 1px solid var(--warn); color: var(--warn);
  border-radius: 6px; }
#problem[hidden] { display: none; }
.util { margin-left: 6px; font-variant-numeric: tabular-nums; }
[hidden] { display: none !important; }
#systems-box { grid-column: 1 / -1; }
#side { display: flex; flex-direction: column; gap: 12px; min-width: 0; }
td[data-field="lastFailure"] { max-width: 420px; overflow: hidden; text-overflow: ellipsis; }
#clusters { display: contents; }
.cluster { display: inline-flex; flex-wrap: wrap; gap: 2px 10px; align-items: baseline; }
.members { display: inline-flex; flex-wrap: wrap; gap: 2px 10px; }
.member { white-space: nowrap; }
.member[data-status="unreachable"], .member[data-status="down"] { color: var(--warn); }
`

const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>verdant observer</title>
<link rel="icon" href="data:,">
<style>${style}</style>
</head>
<body data-snapshots="0">
<header>
  <h1>verdant observer</h1>
  <span class="kv"><span class="k">pid</span><span class="num" data-field="pid">-</span></span>
  <span class="kv"><span class="k">node</span><span data-field="node">-</span></span>
  <span class="kv"><span class="k">uptime</span><span class="num" data-field="uptime">-</span></span>
  <span class="kv"><span class="k">loop delay p50</span><span class="num" data-field="loopP50">-</span></span>
  <span class="kv"><span class="k">p99</span><span class="num" data-field="loopP99">-</span></span>
  <span class="kv"><span class="k">heap used</span><span class="num" data-field="heapUsed">-</span></span>
  <span class="kv"><span class="k">rss</span><span class="num" data-field="rss">-</span></span>
  <span class="kv"><span class="k">snapshot</span><span class="num" data-field="tookMs">-</span></span>
  <span id="clusters" data-field="clusters" hidden></span>
  <span class="kv" id="conn" data-field="connection" data-state="connecting">connecting</span>
</header>
<div class="controls">
  <label>tasks by <select id="tasks-sort" data-control="tasks">
    <option value="age">age</option><option value="children">children</option></select></label>
  <label>actors by <select id="actors-sort" data-control="actors">
    <option value="mailbox">mailbox</option><option value="restarts">restarts</option>
    <option value="rate">msgs/s</option></select></label>
  <label>rows <input id="limit" data-control="limit" type="number" min="1" max="1000" step="1" value="100"></label>
</div>
<div id="problem" data-field="error" hidden></div>
<main>
  <section id="tasks">
    <h2><span class="title">tasks</span>
      <span class="kv"><span class="k">live</span><span class="num" data-field="live">-</span></span>
      <span class="kv"><span class="k">failed</span><span class="num" data-field="failed">-</span></span>
      <span class="kv"><span class="k">cancelled</span><span class="num" data-field="cancelled">-</span></span>
    </h2>
    <div class="scroll"><table>
      <thead><tr><th class="n">id</th><th>name</th><th>state</th><th class="n">age</th><th>waits on</th><th class="n">parent</th><th class="n">children</th></tr></thead>
      <tbody id="task-rows"></tbody>
    </table></div>
  </section>
  <div id="side" hidden>
    <section id="queues" hidden>
      <h2><span class="title">queues</span></h2>
      <div class="scroll"><table>
        <thead><tr><th>name</th><th>kind</th><th class="n">size</th><th class="n">maxsize</th><th class="n">getters</th><th class="n">putters</th></tr></thead>
        <tbody id="queue-rows"></tbody>
      </table></div>
    </section>
    <section id="slow-steps" hidden>
      <h2><span class="title">slow steps</span><span class="kv muted">steps that held the event loop (debug mode), newest first</span></h2>
      <div class="scroll"><table>
        <thead><tr><th>at</th><th class="n">ms</th><th colspan="2">task or actor</th><th>message</th></tr></thead>
        <tbody id="slow-rows"></tbody>
      </table></div>
    </section>
  </div>
  <div id="systems-box">
    <div id="systems"></div>
    <section id="no-systems" class="muted">no actor systems</section>
  </div>
  <section id="executors" class="wide">
    <h2><span class="title">executors</span></h2>
    <div class="scroll"><table>
      <thead><tr><th>name</th><th>kind</th><th class="n">size</th><th class="n">busy</th><th class="n">queued</th><th class="n">completed</th><th class="n">failed</th><th class="n">crashes</th><th class="n">p50</th><th class="n">p99</th><th>utilization</th></tr></thead>
      <tbody id="executor-rows"></tbody>
    </table></div>
  </section>
  <section id="pools" class="wide" hidden>
    <h2><span class="title">pools</span><span class="kv muted">named task pools</span></h2>
    <div class="scroll"><table>
      <thead><tr><th>name</th><th class="n">size</th><th class="n">running</th><th class="n">waiting</th><th class="n">completed</th><th class="n">failed</th><th class="n">cancelled</th></tr></thead>
      <tbody id="pool-rows"></tbody>
    </table></div>
  </section>
</main>
<template id="system-template"><section class="system">
  <h2><span class="title"></span>
    <span class="kv"><span class="k">actors</span><span class="num" data-field="actors">-</span></span>
    <span class="kv"><span class="k">mailboxes</span><span class="num" data-field="mailboxes">-</span></span>
    <span class="kv"><span class="k">dead letters</span><span class="num" data-field="deadLetters">-</span></span>
    <span class="kv"><span class="k">per s</span><span class="num" data-field="deadLettersPerSec">-</span></span>
  </h2>
  <div class="scroll"><table>
    <thead><tr><th>path</th><th>status</th><th class="n">mailbox</th><th class="n">msgs/s</th><th class="n">restarts</th><th>last failure</th><th class="n">stash</th><th class="n">children</th></tr></thead>
    <tbody class="actors"></tbody>
  </table></div>
  <h3>last dead letters</h3>
  <div class="scroll"><table>
    <thead><tr><th>at</th><th>recipient</th><th>reason</th><th>message</th></tr></thead>
    <tbody class="dead"></tbody>
  </table></div>
</section></template>
<script>${script}</script>
</body>
</html>
`

/**
 * The observer page: one self-contained HTML document (inline style and script, nothing fetched
 * but the program's own `events` stream), the same string on every call.
 *
 * @since 0.3.0
 * @internal
 */
export function observerPage(): string {
  return html
}
