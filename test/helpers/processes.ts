// What the crash drills need to find the browser a CLI run started, read off /proc (Linux).
import { readdirSync, readFileSync } from 'node:fs';

/** Pids of the direct children of `pid` whose command is Chromium's browser process (not a helper). */
export function chromiumChildren(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== pid) continue;
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (/chrom/i.test(cmd[0] ?? '') && !cmd.some((a) => a.startsWith('--type='))) out.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}
