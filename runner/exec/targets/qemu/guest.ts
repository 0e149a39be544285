// A QEMU guest driven over its serial console (stdio): start it with execa, wait for the
// initramfs's "=== INIT UP" banner, then run shell commands framed by numbered end markers.
// Every guest has a lifetime limit and is killed by its PID on close, on timeout and when
// the Node process exits.

import { execa } from 'execa';
import type { ResultPromise } from 'execa';
import { cleanConsole } from './dmesg.js';

export class GuestExited extends Error {
  constructor(
    message: string,
    readonly console: string,
  ) {
    super(message);
    this.name = 'GuestExited';
  }
}

export class GuestTimeout extends Error {
  constructor(
    message: string,
    readonly console: string,
  ) {
    super(message);
    this.name = 'GuestTimeout';
  }
}

export interface GuestOptions {
  /** hard limit on the guest's whole life (execa kills it with SIGKILL); default 15 min */
  lifetimeMs?: number;
  /** every byte the console printed is also passed here (for --log-dir style transcripts) */
  onConsole?: (chunk: string) => void;
}

const live = new Set<number>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of live) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

export class Guest {
  private readonly proc: ResultPromise;
  private buf = '';
  /** everything the console printed, for diagnostics */
  private transcript = '';
  private exited = false;
  private exitCode: number | null | undefined;
  private waiters: Array<() => void> = [];
  private n = 0;
  readonly pid: number;
  readonly startedAt = Date.now();

  constructor(
    readonly argv: readonly string[],
    opts: GuestOptions = {},
  ) {
    const [file, ...args] = argv;
    if (!file) throw new Error('empty QEMU command line');
    installExitHook();
    this.proc = execa(file, args, {
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      reject: false,
      timeout: opts.lifetimeMs ?? 15 * 60_000,
      killSignal: 'SIGKILL',
      cleanup: true,
    });
    if (this.proc.pid === undefined) throw new Error(`could not start ${file}`);
    this.pid = this.proc.pid;
    live.add(this.pid);
    const onData = (d: Buffer) => {
      const s = d.toString('utf8');
      this.buf += s;
      this.transcript += s;
      if (this.transcript.length > 4_000_000) this.transcript = this.transcript.slice(-2_000_000);
      opts.onConsole?.(s);
      this.wake();
    };
    this.proc.stdout!.on('data', onData);
    this.proc.stderr!.on('data', onData);
    this.proc.stdin!.on('error', () => {
      // EPIPE after the guest died; the exit handler reports it
    });
    void this.proc.then((r) => {
      this.exited = true;
      this.exitCode = r.exitCode ?? null;
      live.delete(this.pid);
      this.wake();
    });
  }

  get running(): boolean {
    return !this.exited;
  }

  consoleText(): string {
    return this.transcript;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Wait until `rx` matches the unread console output; consume through the match. */
  async expect(rx: RegExp, timeoutMs: number): Promise<{ before: string; match: RegExpExecArray }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = rx.exec(this.buf);
      if (m) {
        const before = this.buf.slice(0, m.index);
        this.buf = this.buf.slice(m.index + m[0].length);
        return { before, match: m };
      }
      if (this.exited) {
        throw new GuestExited(`QEMU exited (code ${String(this.exitCode)}) while waiting for ${rx.source}`, this.transcript);
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new GuestTimeout(`timed out after ${timeoutMs} ms waiting for ${rx.source}; console tail: ${JSON.stringify(cleanConsole(this.buf.slice(-400)))}`, this.transcript);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  send(text: string): void {
    if (this.exited) throw new GuestExited('QEMU has exited', this.transcript);
    this.proc.stdin!.write(text);
  }

  /**
   * Run one shell command line and return its exit status and output. The marker is echoed
   * with quotes inside it so the command line itself (were echo on) cannot match.
   */
  async run(cmd: string, timeoutMs = 60_000): Promise<{ rc: number; out: string }> {
    const n = ++this.n;
    this.send(`${cmd}\necho __END_"${n}"__ rc=$?\n`);
    const { before, match } = await this.expect(new RegExp(`__END_${n}__ rc=(\\d+)\\r?\\n`), timeoutMs);
    return { rc: Number(match[1]), out: cleanConsole(before) };
  }

  /** `poweroff -f`, then SIGKILL by PID if QEMU is still there after `graceMs`. */
  async close(graceMs = 10_000): Promise<void> {
    if (!this.exited) {
      try {
        this.send('poweroff -f\n');
      } catch {
        // stdin closed: fall through to the kill
      }
      await Promise.race([this.proc, new Promise((r) => setTimeout(r, graceMs))]);
    }
    this.kill();
    await this.proc;
  }

  kill(): void {
    if (this.exited) return;
    try {
      process.kill(this.pid, 'SIGKILL');
    } catch {
      // raced with its exit
    }
  }
}
