// A raw forked child: one IPC message per job, answered at once.
process.on('message', (m) => process.send([m[0], m[1] + m[2]]))
