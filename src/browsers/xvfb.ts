/**
 * An X server of bgprobe's own for MiniBrowser, which has no headless mode. `Xvfb -displayfd`
 * picks a free display number itself and writes it to the given fd once it accepts clients, so
 * there is no lock-file race with other X servers and no polling.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EngineError } from '../errors.js';

export interface Xvfb {
  display: string;
  process: ChildProcess;
  stop(): void;
}

export function startXvfb(binary: string, timeoutMs = 10_000): Promise<Xvfb> {
  const child = spawn(binary, ['-displayfd', '3', '-nolisten', 'tcp', '-screen', '0', '1280x800x24'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  return new Promise((resolve, reject) => {
    let text = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new EngineError(`Xvfb (${binary}) ${why}${stderr.trim() ? `: ${stderr.trim().split('\n').pop()}` : ''}`));
    };
    const timer = setTimeout(() => fail(`gave no display within ${timeoutMs} ms`), timeoutMs);
    child.once('error', (e) => fail(`did not start (${e.message})`));
    child.once('exit', (code) => fail(`exited with code ${code} before it was ready`));
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => {
      text += d.toString();
      if (!text.includes('\n')) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.removeAllListeners('error');
      resolve({ display: `:${text.trim()}`, process: child, stop: () => void child.kill('SIGTERM') });
    });
  });
}
