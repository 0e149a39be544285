// #16 point 8: the log's timestamps come from the virtual clock — each record costs printk's
// own work plus, on a board with a serial console, the time the UART takes to send it (the
// kernel writes the line out before printk returns) — and the boot banner is its era's (the
// compiler of the kernel's time, the v5.8 LINUX_COMPILER form; a thread's build prints its own).
// The threads' timestamps are the fixtures.

import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BOOT, board, device, driver, iommu, run } from './helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CLI = path.join(ROOT, 'dist/runner/cli/main.js');

interface Stamped {
  usec: number;
  text: string;
}

function stamped(lines: string): Stamped[] {
  return lines
    .split('\n')
    .map((l) => /^\[\s*(\d+)\.(\d{6})\] (.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ usec: Number(m[1]) * 1_000_000 + Number(m[2]), text: m[3]! }));
}

function modelLog(suite: string, kernel: string, boardId: string): Stamped[] {
  return stamped(execFileSync(process.execPath, [CLI, 'log', suite, '--kernel', kernel, '--board', boardId], { cwd: ROOT, encoding: 'utf8' }));
}

/** the gaps between consecutive lines of `want` (thread) and of the same lines in `log` (model) */
function gaps(want: Stamped[], log: Stamped[]): { line: string; thread: number; model: number }[] {
  const start = log.findIndex((l) => l.text === want[0]!.text);
  expect(start, `model log has "${want[0]!.text}"`).to.be.at.least(0);
  const got = log.slice(start, start + want.length);
  expect(got.map((l) => l.text)).to.deep.equal(want.map((l) => l.text));
  return want.slice(1).map((w, i) => ({ line: want[i]!.text, thread: w.usec - want[i]!.usec, model: got[i + 1]!.usec - got[i]!.usec }));
}

describe('model clock and banner (#16 point 8)', () => {
  it('D06 (000, v5.1, console 115200): each trace line follows the previous by the time the UART took to send it, to 10 µs', () => {
    const thread = stamped(`[   89.198876] Call trace:
[   89.201316]  dump_backtrace+0x0/0x118
[   89.204965]  show_stack+0x14/0x1c
[   89.208272]  dump_stack+0xa4/0xc8
[   89.211576]  bad_page+0xe4/0x13c
[   89.214791]  free_pages_check_bad+0x4c/0xc0
[   89.218961]  __free_pages_ok+0x30c/0x340
[   89.222871]  __free_pages+0x30/0x44
[   89.226347]  __dma_direct_free_pages+0x30/0x38
[   89.230777]  dma_direct_free+0x24/0x38`);
    for (const g of gaps(thread, modelLog('suites/hisi-sas-probe-failure.yaml', 'v5.1', 'huawei-d06'))) {
      expect(Math.abs(g.model - g.thread), `after "${g.line}": thread ${g.thread} µs, model ${g.model} µs`).to.be.at.most(10);
    }
  });

  it('D05 (000, v5.0): the same lines at its console\'s pace (174.8 µs a character), to 1 %', () => {
    const thread = stamped(`[   37.928924] Call trace:
[   37.933825]  dump_backtrace+0x0/0x150
[   37.941166]  show_stack+0x14/0x1c
[   37.947808]  dump_stack+0x8c/0xb0
[   37.954451]  bad_page+0xe4/0x144
[   37.960918]  free_pages_check_bad+0x7c/0x84
[   37.969307]  __free_pages_ok+0x284/0x290
[   37.977173]  __free_pages+0x30/0x44
[   37.984163]  __dma_direct_free_pages+0x68/0x6c
[   37.993076]  dma_direct_free+0x24/0x38`);
    for (const g of gaps(thread, modelLog('suites/rcar-dma-teardown.yaml', 'v5.0', 'taishan-2280-d05'))) {
      expect(Math.abs(g.model - g.thread), `after "${g.line}": thread ${g.thread} µs, model ${g.model} µs`).to.be.at.most(g.thread / 100);
    }
  });

  it('SC8180X Primus (003, no serial console): the error block\'s lines are microseconds apart, as in the thread', () => {
    // thread: [ 3.846856] arm-smmu ... Unhandled context fault ... / [ 3.846880] ufshcd-qcom ...: ufshcd_check_errors ...
    const log = modelLog('suites/qcom-ufs-context-fault.yaml', 'next-20240430', 'sc8180x-primus');
    const fault = log.findIndex((l) => l.text.includes('Unhandled context fault'));
    expect(fault).to.be.at.least(0);
    const next = log[fault + 1]!;
    expect(next.text).to.include('ufshcd_check_errors');
    expect(next.usec - log[fault]!.usec).to.be.within(1, 30);
  });

  it('the banner lines are stamped 0 (no sched_clock yet); a KERN_DEBUG line costs no console time', () => {
    const b = board({ iommus: [iommu('smmu')], devices: [device('1000000.dma', 'foo-dma', { iommus: [{ iommu: 'smmu', ids: [1] }] })], drivers: [driver('foo-dma')] });
    const plain = run(b, 'v6.12', [BOOT]);
    expect(plain.lines[0]).to.match(/^Linux version /);
    expect(plain.k.log.slice(0, 3).map((l) => l.usec)).to.deep.equal([0, 0, 0]);
    expect(plain.k.log[3]!.usec).to.be.above(0);
    const dbg = run(b, 'v6.12', [{ op: 'boot', hold: [], dyndbg: ['file drivers/base/dd.c +p'] }]);
    const recs = dbg.k.log;
    const seen = new Set(plain.lines);
    const debugAt = recs.findIndex((l: Stamped, j: number) => j + 1 < recs.length && !seen.has(l.text));
    expect(debugAt, 'a dev_dbg line of dd.c').to.be.at.least(0);
    // the next record is stamped printk's own 4 µs later, not the milliseconds the console would take
    expect(recs[debugAt + 1]!.usec - recs[debugAt]!.usec).to.be.at.most(5);
    // a console line costs its characters at 115200 baud: 4 µs + (15 + 35 + 2) × 86.806 µs
    const at = recs.findIndex((l: Stamped) => l.text === 'Freeing unused kernel memory: 1216K');
    expect(recs[at + 1]!.usec - recs[at]!.usec).to.be.within(4517, 4519);
  });

  describe('the banner per era', () => {
    const b = board({ iommus: [iommu('smmu')], devices: [], drivers: [] });
    const bannerOf = (kernel: string): string => run(b, kernel, [BOOT]).lines[0]!;

    it('before v5.8: "gcc version X (GCC)" of a GCC that existed when the kernel was released', () => {
      expect(bannerOf('v4.14')).to.equal('Linux version 4.14.0 (bringup@model) (gcc version 7.2.0 (GCC)) #1 SMP PREEMPT');
      expect(bannerOf('v4.12-rc1')).to.include('(gcc version 7.1.0 (GCC))');
      expect(bannerOf('v5.4')).to.include('(gcc version 9.2.0 (GCC))');
    });

    it('v5.8 on: the compiler\'s --version line and the linker\'s', () => {
      expect(bannerOf('v5.8')).to.equal('Linux version 5.8.0 (bringup@model) (gcc (GCC) 10.2.0, GNU ld (GNU Binutils) 2.35) #1 SMP PREEMPT');
      expect(bannerOf('v6.1')).to.include('(gcc (GCC) 12.2.0, GNU ld (GNU Binutils) 2.39)');
    });

    it('a thread\'s build prints its own banner (000: John Garry\'s D05 kernel)', () => {
      const log = modelLog('suites/rcar-dma-teardown.yaml', 'v5.0', 'taishan-2280-d05');
      // 000: "[0.00] Linux version 5.0.0 (john@htsatcamb-server) (gcc version 4.8.5 (Linaro GCC 4.8-2015.06)) #121 SMP PREEMPT Thu Mar 7 14:28:39 GMT 2019" (wrapped by the mail)
      expect(log[0]).to.deep.equal({ usec: 0, text: 'Linux version 5.0.0 (john@htsatcamb-server) (gcc version 4.8.5 (Linaro GCC 4.8-2015.06)) #121 SMP PREEMPT Thu Mar 7 14:28:39 GMT 2019' });
    });
  });
});
