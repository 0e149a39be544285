// Preloaded into the CLI-cost children (`node --import <this> ...`): at exit, write the
// process's CPU time (user + system, microseconds) to fd 3, a pipe the bench reads. CPU
// time is what the process cost whatever else the machine was doing; wall time is what
// a user waits. The hook is loaded into every measured command alike.

import { writeSync } from 'node:fs';

process.on('exit', () => {
  const u = process.cpuUsage();
  try {
    writeSync(3, `${u.user + u.system}\n`);
  } catch {
    // fd 3 not open: run by hand
  }
});
