// Preloaded (`node --import`) into both whole-process clients: on exit, appends the process's
// own CPU time and peak RSS to the file named by BENCH_RUSAGE_FILE.
import { appendFileSync } from 'node:fs';

process.on('exit', () => {
  const usage = process.resourceUsage();
  appendFileSync(process.env.BENCH_RUSAGE_FILE, JSON.stringify({ cpuUs: usage.userCPUTime + usage.systemCPUTime, maxRssKb: usage.maxRSS }) + '\n');
});
